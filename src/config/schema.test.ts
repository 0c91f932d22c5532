import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { memorySource } from './memory-source.js';
import { validateRepo } from './load.js';
import { SCHEMAS } from './schema.js';

const NAVARCH = 'providers:\n  local:\n    type: fake\n';

async function diagnose(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await validateRepo(memorySource(files, '/repos/demo'));
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.path} ${d.message}`);
}

describe('schema files', () => {
  it.each(['navarch', 'pool', 'job'] as const)('%s.schema.json is a draft 2020-12 schema with an $id, title and described fields', async (name) => {
    const schema = SCHEMAS[name];
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe(`https://navarch.dev/schemas/${name}.schema.json`);
    expect(typeof schema['title']).toBe('string');
    expect(schema['additionalProperties']).toBe(false);
    const props = schema['properties'] as Record<string, Record<string, unknown>>;
    for (const [key, prop] of Object.entries(props)) {
      const described = typeof prop['description'] === 'string';
      expect(described, `${name}.${key} has a description`).toBe(true);
    }
    // The file on disk is what editors load; it must be the same document the code validates with.
    const onDisk = JSON.parse(await readFile(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8')) as unknown;
    expect(onDisk).toEqual(schema);
  });

  it('compiles with a separate ajv instance, as an editor or another tool would', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(SCHEMAS.pool);
    expect(ajv.validate(SCHEMAS.job, { gpu: 'h100', run: 'python train.py' })).toBe(true);
    expect(ajv.validate(SCHEMAS.navarch, { providers: { local: { type: 'fake' } } })).toBe(true);
  });
});

describe('schema diagnostics', () => {
  it('suggests the nearest valid key for an unknown key, at the key', async () => {
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'pools/train.yaml': 'provider: local\ngpu: h100\nmin_node: 1\n' })).toEqual([
      'pools/train.yaml:3:1 /pools/train/min_node unknown key `min_node`; did you mean `min_nodes`?',
    ]);
  });

  it('lists the valid keys when no key is close', async () => {
    expect(await diagnose({ 'navarch.yaml': `${NAVARCH}apply:\n  zzz: 1\n` })).toEqual([
      'navarch.yaml:5:3 /apply/zzz unknown key `zzz` (expected one of `concurrency`)',
    ]);
  });

  it('says what type was expected, at the value', async () => {
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'pools/train.yaml': 'provider: local\ngpu: h100\nmin_nodes: two\n' })).toEqual([
      'pools/train.yaml:3:12 /pools/train/min_nodes expected an integer, got the string `two`',
    ]);
  });

  it('checks enums with a suggestion, and numeric limits', async () => {
    const text = `${NAVARCH}orphans: destory\nsafety:\n  max_destroy_percent: 150\n`;
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([
      'navarch.yaml:4:10 /orphans expected one of `report`, `destroy`, got `destory`; did you mean `destroy`?',
      'navarch.yaml:6:24 /safety/max_destroy_percent expected a number <= 100, got `150`',
    ]);
  });

  it('explains patterns by the shape they stand for', async () => {
    const text = `fleet: My_Fleet\n${NAVARCH}pools:\n  train:\n    provider: local\n    gpu: h100\n    cooldown: ten minutes\n`;
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([
      'navarch.yaml:1:8 /fleet expected a fleet name (e.g. `quickstart`, `research-gpus`), got `My_Fleet`',
      'navarch.yaml:9:15 /pools/train/cooldown expected a duration (e.g. `90s`, `10m`, `1h30m`), got `ten minutes`',
    ]);
  });

  it('reports a missing required key at its parent, with the field path', async () => {
    expect(await diagnose({ 'navarch.yaml': 'providers:\n  g:\n    type: gcp\n' })).toEqual([
      'navarch.yaml:2:3 /providers/g/project missing required key `project`',
    ]);
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'jobs/train.yaml': '# a job\ngpu: h100\n' })).toEqual([
      'jobs/train.yaml:2:1 /jobs/train/run missing required key `run`',
    ]);
  });

  it('checks label keys and values', async () => {
    const pool = 'provider: local\ngpu: h100\nlabels:\n  Team: ml\n  owner: Alice\n';
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'pools/train.yaml': pool })).toEqual([
      'pools/train.yaml:4:3 /pools/train/labels/Team invalid key `Team`: expected a label key (e.g. `team`, `cost-center`)',
      'pools/train.yaml:5:10 /pools/train/labels/owner expected a label value (e.g. `ml`, `research-1`), got `Alice`',
    ]);
  });

  it('validates provider settings by type', async () => {
    const text = 'providers:\n  local:\n    type: fake\n    latency: soon\n    failures:\n      - op: provision\n        error: boom\n  east:\n    type: aws\n    endpoint: not a url\n    regoins: [us-east-1]\n  other:\n    type: azure\n';
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([
      'navarch.yaml:4:14 /providers/local/latency expected a duration (e.g. `90s`, `10m`, `1h30m`), got `soon`',
      'navarch.yaml:7:16 /providers/local/failures/0/error expected one of `capacity`, `quota`, `throttled`, `transient`, `auth`, `invalid`, got `boom`',
      'navarch.yaml:10:15 /providers/east/endpoint expected a URL, got `not a url`',
      'navarch.yaml:11:5 /providers/east/regoins unknown key `regoins`; did you mean `regions`?',
      'navarch.yaml:13:11 /providers/other/type expected one of `fake`, `aws`, `gcp`, `lambda`, got `azure`',
    ]);
  });

  it('refuses `name` in an inline pool', async () => {
    const text = `${NAVARCH}pools:\n  train:\n    name: other\n    provider: local\n    gpu: h100\n`;
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([
      'navarch.yaml:6:5 /pools/train/name `name` is not allowed in an inline pool: the key under `pools:` is its name',
    ]);
  });

  it('validates the shape of autoscaling', async () => {
    const pool = 'provider: local\ngpu: h100\nautoscaling:\n  type: scheduled\n  scale_up_at: 120\n';
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'pools/train.yaml': pool })).toEqual([
      'pools/train.yaml:3:1 /pools/train/autoscaling/schedule missing required key `schedule`',
      'pools/train.yaml:5:16 /pools/train/autoscaling/scale_up_at expected a number <= 100, got `120`',
    ]);
  });
});
