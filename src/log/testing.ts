/**
 * Reading log output in tests. `JSON.parse` keeps the last of two equal keys without a word, so a
 * duplicate key is found by reading the line's text itself.
 */

/** The first key that appears twice in one object of the JSON text `line`, at any depth; undefined when none does. Throws on text that is not JSON. */
export function duplicateKey(line: string): string | undefined {
  let i = 0;
  let found: string | undefined;
  const fail = (what: string): never => {
    throw new Error(`not JSON at ${i} (${what}): ${line}`);
  };
  const space = (): void => {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
    if (line[i] !== '"') fail('unterminated string');
    i++;
    return JSON.parse(line.slice(start, i)) as string;
  };
  const value = (): void => {
    space();
    const ch = line[i];
    if (ch === '{') {
      i++;
      const keys = new Set<string>();
      space();
      if (line[i] === '}') return void i++;
      for (;;) {
        space();
        if (line[i] !== '"') fail('expected a key');
        const key = string();
        if (keys.has(key)) found ??= key;
        keys.add(key);
        space();
        if (line[i++] !== ':') fail('expected :');
        value();
        space();
        const next = line[i++];
        if (next === '}') return;
        if (next !== ',') fail('expected , or }');
      }
    }
    if (ch === '[') {
      i++;
      space();
      if (line[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        const next = line[i++];
        if (next === ']') return;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (ch === '"') return void string();
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(line.slice(i));
    if (!m) fail('expected a value');
    i += (m as RegExpExecArray)[0].length;
  };
  value();
  space();
  if (i !== line.length) fail('trailing text');
  return found;
}
