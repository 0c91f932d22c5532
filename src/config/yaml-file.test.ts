import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from './source.js';
import { parseYamlFile, type ParseResult } from './yaml-file.js';

function errors(r: ParseResult): Array<[number, number, string]> {
  if (r.ok) throw new Error('expected a failure');
  return r.diagnostics.map((d) => [d.line, d.column, d.message]);
}

/** A "billion laughs" document: ten levels of nine aliases each, about 10^9 strings when expanded. */
function billionLaughs(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 0; i < 9; i++) {
    const prev = String.fromCharCode(97 + i);
    const next = String.fromCharCode(98 + i);
    text += `${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
  }
  return text;
}

describe('parseYamlFile', () => {
  it('returns the value and finds positions of values and keys', () => {
    const r = parseYamlFile('pools/a.yaml', 'provider: local\nlabels:\n  team: ml\nzones: [a, b]\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.yaml.value).toEqual({ provider: 'local', labels: { team: 'ml' }, zones: ['a', 'b'] });
    expect(r.yaml.locate(['labels', 'team'])).toEqual({ line: 3, column: 9 });
    expect(r.yaml.locate(['labels', 'team'], { key: true })).toEqual({ line: 3, column: 3 });
    expect(r.yaml.locate(['zones', 1])).toEqual({ line: 4, column: 12 });
    // A missing leaf points at its nearest existing ancestor.
    expect(r.yaml.locate(['labels', 'nope'])).toEqual({ line: 3, column: 3 });
  });

  it('follows merge keys and aliases when locating', () => {
    const r = parseYamlFile('x.yaml', 'base: &b\n  gpu: h100\npool:\n  <<: *b\n  gpus: 8\n');
    if (!r.ok) throw new Error('parse failed');
    expect(r.yaml.value).toEqual({ base: { gpu: 'h100' }, pool: { gpu: 'h100', gpus: 8 } });
    expect(r.yaml.locate(['pool', 'gpu'])).toEqual({ line: 2, column: 8 });
    expect(r.yaml.locate(['pool', 'gpus'])).toEqual({ line: 5, column: 9 });
  });

  it('reports syntax errors with their position', () => {
    expect(errors(parseYamlFile('a.yaml', 'key: "unterminated\n'))).toEqual([[2, 1, 'invalid YAML: Missing closing "quote']]);
    expect(errors(parseYamlFile('a.yaml', 'a:\n  - b\n c: 1\n'))).toEqual([[3, 1, 'invalid YAML: All mapping items must start at the same column']]);
  });

  it('reports duplicate keys at the second occurrence, naming the key', () => {
    expect(errors(parseYamlFile('a.yaml', 'a: 1\nb:\n  cc: 1\n  cc: 2\n'))).toEqual([[4, 3, 'duplicate key `cc`: keys of a mapping must be unique']]);
  });

  it('refuses several documents in one file, pointing at the second', () => {
    expect(errors(parseYamlFile('a.yaml', 'a: 1\n---\nb: 2\n'))).toEqual([
      [2, 1, 'expected one YAML document per file, found 2 (separated by `---`)'],
    ]);
  });

  it.each([
    ['', 'file is empty; expected a mapping of keys to values'],
    ['# only a comment\n', 'file is empty; expected a mapping of keys to values'],
  ])('refuses an empty file (%j)', (text, message) => {
    expect(errors(parseYamlFile('a.yaml', text))).toEqual([[1, 1, message]]);
  });

  it.each([
    ['- a\n- b\n', 'a list'],
    ['\n\n  just text\n', 'a string'],
    ['42\n', 'a number'],
  ])('refuses a top level that is not a mapping (%j)', (text, kind) => {
    const [first] = errors(parseYamlFile('a.yaml', text));
    expect(first?.[2]).toBe(`expected a mapping of keys to values at the top of the file, got ${kind}`);
    expect(first?.[0]).toBe(text.startsWith('\n') ? 3 : 1);
  });

  it('refuses a billion-laughs document quickly, naming the file', () => {
    const started = Date.now();
    const r = parseYamlFile('pools/laughs.yaml', billionLaughs());
    const elapsed = Date.now() - started;
    if (r.ok) throw new Error('expected a failure');
    expect(r.diagnostics).toEqual([
      {
        file: 'pools/laughs.yaml',
        line: 1,
        column: 1,
        path: '',
        message: 'too many alias expansions (more than 100); refusing a document that expands without bound',
      },
    ]);
    // Generous bound: expansion would take minutes and gigabytes; the refusal takes milliseconds.
    expect(elapsed).toBeLessThan(2000);
  });

  it('refuses files over the size limit without parsing them', () => {
    const text = `a: "${'x'.repeat(MAX_FILE_BYTES)}"\n`;
    expect(errors(parseYamlFile('big.yaml', text))).toEqual([[1, 1, 'file is larger than 1 MiB; navarch refuses to read it']]);
  });
});
