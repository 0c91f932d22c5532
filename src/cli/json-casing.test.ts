/**
 * One casing for every JSON navarch and navarch-agent print: each command's `--json` output, run
 * on a copy of the quickstart, parsed line by line, with every key snake_case, except keys that are
 * data (pool names, label keys, a pool patch's values), named per document below.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentMain, type AgentCliContext } from '../../agent/index.js';
import { acquireLock, directoryLockStore } from '../git/index.js';
import { systemClock } from '../model/index.js';
import type { CliContext } from './context.js';
import { buildProgram } from './main.js';
import { runCommand } from './testing.js';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart', import.meta.url));
const KEY = /^[a-z][a-z0-9_]*$/;

/**
 * Where keys are data, by path (`[]` for the elements of an array): `maps` are objects keyed by
 * data whose values are checked in turn, `opaque` members are data all the way down.
 */
interface DataKeys {
  maps?: string[];
  opaque?: string[];
}

const PLAN: DataKeys = { maps: ['actions[].labels.before', 'actions[].labels.after'], opaque: ['pools[].patch[].value'] };
const STATUS: DataKeys = { maps: ['pools', 'nodes[].labels'] };
const prefixed = (p: string, d: DataKeys): DataKeys => ({ maps: d.maps?.map((m) => `${p}.${m}`) ?? [], opaque: d.opaque?.map((m) => `${p}.${m}`) ?? [] });

/** Every key of `value` that is not snake_case and not data, with its path. */
function badKeys(value: unknown, data: DataKeys, path = ''): string[] {
  if ((data.opaque ?? []).includes(path)) return [];
  if (Array.isArray(value)) return value.flatMap((v) => badKeys(v, data, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  const isMap = (data.maps ?? []).includes(path);
  return Object.entries(value).flatMap(([k, v]) => {
    const at = path === '' ? k : `${path}.${k}`;
    const own = isMap || KEY.test(k) ? [] : [at];
    return [...own, ...badKeys(v, data, isMap ? `${path}.*` : at)];
  });
}

/** Parses `out` as JSON, or as JSON Lines when `lines`; fails the test on anything else. */
function documents(out: string, lines: boolean): unknown[] {
  const texts = lines ? out.split('\n').filter((l) => l !== '') : [out];
  expect(texts.length).toBeGreaterThan(0);
  return texts.map((t) => JSON.parse(t) as unknown);
}

let dir: string;
let stalePlan: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-json-casing-'));
  await cp(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.navarch') && !src.endsWith('/status') });
  const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
  await writeFile(join(dir, 'navarch.yaml'), yaml.replace('latency: 300ms', 'latency: 0s'));
  stalePlan = join(dir, 'stale-plan.json');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The commands whose --json output was checked, e.g. `gpus`, `token node`. */
const covered = new Set<string>();

/** Runs navarch and checks its JSON; returns the parsed documents. */
async function checked(args: string[], data: DataKeys | ((doc: unknown) => DataKeys), opts: { lines?: boolean; code?: number } = {}): Promise<unknown[]> {
  const r = await runCommand([...args, '--no-color']);
  expect(r.code, r.err).toBe(opts.code ?? 0);
  covered.add(commandOf(args));
  const docs = documents(r.out, opts.lines ?? false);
  for (const doc of docs) expect(badKeys(doc, typeof data === 'function' ? data(doc) : data), args.join(' ')).toEqual([]);
  return docs;
}

/** apply --json: each line is a plan (the plan document inside), an event or the result. */
const applyLine = (doc: unknown): DataKeys => ((doc as { type?: string }).type === 'plan' ? prefixed('plan', PLAN) : {});

describe('every --json output has snake_case keys', () => {
  // In order: each step leaves the fleet as the next one needs it.
  it('validate', async () => {
    await checked(['validate', '-d', dir, '--json'], {});
    await writeFile(join(dir, 'pools/broken.yaml'), 'provider: local\nmin_node: 1\n');
    await checked(['validate', '-d', dir, '--json'], {}, { code: 1 });
    await rm(join(dir, 'pools/broken.yaml'));
  });

  it('plan, and the plan file it saves', async () => {
    const [doc] = await checked(['plan', '-d', dir, '--json', '--out', stalePlan], PLAN);
    expect(doc).toMatchObject({ format_version: 2, created_at: expect.any(String) as string });
    expect(badKeys(JSON.parse(await readFile(stalePlan, 'utf8')), PLAN)).toEqual([]);
  });

  it('apply (JSON Lines: the plan, every event, the result)', async () => {
    const docs = await checked(['apply', '-d', dir, '--json', '--auto-approve'], applyLine, { lines: true });
    const types = docs.map((d) => (d as { type: string }).type);
    expect(types[0]).toBe('plan');
    expect(types.at(-1)).toBe('result');
    for (const t of types.slice(1, -1)) expect(t).toMatch(/^action_(start|step|retry|failover|done|failed|skipped)$/);
    expect(docs[0]).toMatchObject({ type: 'plan', plan: { format_version: 2, summary: { add: 3 } } });
    expect(docs.at(-1)).toMatchObject({ type: 'result', ok: true, summary: { added: 3, changed: 0, destroyed: 0, failed: 0, skipped: 0 } });
    expect(docs.filter((d) => (d as { type: string }).type === 'action_done')).toHaveLength(3);
  });

  it('an error, its details included (a saved plan gone stale)', async () => {
    const [doc] = await checked(['apply', stalePlan, '-d', dir, '--json'], {}, { lines: true, code: 1 });
    expect(doc).toMatchObject({ error: { code: 'plan.stale', details: { observed_changed: true, desired_changed: false } } });
  });

  it('status', async () => {
    const [doc] = await checked(['status', '-d', dir, '--json'], STATUS);
    expect(Object.keys((doc as { pools: object }).pools).sort()).toEqual(['inference', 'train']);
  });

  it('plan with an update: label keys are data', async () => {
    const file = join(dir, 'pools/train.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('team: research', 'team: research\n  cost-center: ml-research'));
    const [doc] = await checked(['plan', '-d', dir, '-o', 'json'], PLAN);
    expect(JSON.stringify(doc)).toContain('"cost-center":"ml-research"');
    // The label keys are what the checker lets through, not a gap in it.
    expect(badKeys(doc, {})).toContain('actions[].labels.after.cost-center');
  });

  it('reconcile (one object per pass)', async () => {
    await checked(['reconcile', '-d', dir, '--once', '--json'], {}, { lines: true });
  });

  it('gpus, with and without --available', async () => {
    await checked(['gpus', '--json'], {});
    await checked(['gpus', '--available', '-d', dir, '--provider', 'fake', '--json'], {});
  });

  it('doctor', async () => {
    const [doc] = await checked(['doctor', '-d', dir, '--json'], {});
    expect(doc).toMatchObject({ ok: true, checks: expect.arrayContaining([expect.objectContaining({ check: 'provider', status: 'ok' })]) as unknown });
  });

  it('force-unlock', async () => {
    const held = await acquireLock({ store: directoryLockStore(dir), clock: systemClock, fleet: 'quickstart', holder: 'ada@laptop pid 1', command: 'navarch apply' });
    await checked(['force-unlock', held.id, '-d', dir, '--json'], {});
  });
});

/** The command words at the start of `args` (`token node`), as the command tree names them. */
function commandOf(args: string[]): string {
  let cmd: Command = TREE;
  const words: string[] = [];
  for (const a of args) {
    const sub = cmd.commands.find((c) => c.name() === a);
    if (!sub) break;
    words.push(a);
    cmd = sub;
  }
  return words.join(' ');
}

const TREE = await buildProgram(quietCtx());

function quietCtx(): CliContext {
  const quiet = { write: (): void => undefined, isTTY: false };
  return { stdout: quiet, stderr: quiet, stdin: new PassThrough(), env: {}, cwd: '.', clock: systemClock, exitCode: 0 };
}

describe('the walk above', () => {
  it('covers every command that has --json', () => {
    const withJson: string[] = [];
    const walk = (cmd: Command, path: string[]): void => {
      if (cmd.options.some((o) => o.long === '--json')) withJson.push(path.join(' '));
      for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
    };
    walk(TREE, []);
    expect(withJson.length).toBeGreaterThan(0);
    expect([...covered].sort()).toEqual(withJson.sort());
  });
});

describe('navarch-agent prints snake_case keys too', () => {
  async function agent(args: string[], input = ''): Promise<{ code: number; out: string }> {
    let out = '';
    const stdin = new PassThrough();
    stdin.end(input);
    const ctx: AgentCliContext = { stdout: { write: (t) => void (out += t) }, stderr: { write: () => undefined }, stdin, env: {}, exitCode: 0 };
    return { code: await agentMain(['node', 'navarch-agent', ...args], ctx), out };
  }

  it('check --json', async () => {
    const r = await agent(['check', '--fake-gpus', '2', '--json']);
    expect(r.code).toBe(0);
    const [doc] = documents(r.out, false);
    expect(badKeys(doc, {})).toEqual([]);
    const gpu = (doc as { inventory: { gpus: unknown[] } }).inventory.gpus[0];
    expect(gpu).toMatchObject({ pci_bus_id: expect.any(String) as string, memory_mib: expect.any(Number) as number, driver_version: expect.any(String) as string });
  });

  it('xid parse', async () => {
    const r = await agent(['xid', 'parse', '--fake-gpus', '2'], 'NVRM: Xid (PCI:0000:18:00): 79, GPU has fallen off the bus.\n');
    expect(r.code).toBe(0);
    for (const doc of documents(r.out, true)) expect(badKeys(doc, {})).toEqual([]);
  });
});
