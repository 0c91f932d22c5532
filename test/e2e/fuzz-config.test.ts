/**
 * Seeded fuzzing of the quickstart repository (navarch.yaml, pools, jobs) over a fleet that
 * already runs. For each random mutation, `navarch plan --detailed-exitcode` either plans
 * (exit 0 or 2) or exits 1 with every error at a `file:line:column`; never a stack trace, an
 * internal error or a hang, and on an error nothing in the repository changes, the fake cloud's
 * state and the status file included. A subset runs `apply --auto-approve` as well.
 *
 * A failure prints its seed and case: NAVARCH_FUZZ_SEED=<seed> NAVARCH_FUZZ_CASE=<n> runs that case
 * alone; NAVARCH_FUZZ_SEED and NAVARCH_FUZZ_CASES explore further.
 * Runs in-process through `main(argv, ctx)`, so hundreds of cases take seconds.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type TestRun } from '../../src/cli/testing.js';
import { mutate, Rng, type ConfigFiles, type Mutation } from '../helpers/config-fuzz.js';
import { ROOT } from '../helpers/cli.js';

const SEED = Number(process.env['NAVARCH_FUZZ_SEED'] ?? 20_240_917);
const CASES = Number(process.env['NAVARCH_FUZZ_CASES'] ?? 300);
/** Runs this one case alone (as a failure names it). */
const ONLY = process.env['NAVARCH_FUZZ_CASE'] === undefined ? undefined : Number(process.env['NAVARCH_FUZZ_CASE']);
/** Every APPLY_EVERY-th case also runs apply. */
const APPLY_EVERY = 5;
/** Applies that would create more nodes than this are not run (the fake cloud takes real time per node). */
const APPLY_MAX_ADDS = 12;
/** A case that has not answered by then hangs. */
const CASE_BOUND_MS = 20_000;

/**
 * What the fuzzing starts from: the quickstart, plus the keys it leaves out (fake-cloud settings,
 * defaults, apply, history, control plane), an autoscaled pool and two jobs, so that mutations
 * reach every validator and not only those of a small file.
 */
const PROVIDER_EXTRA = '    page_size: 20\n    capacity:\n      f1.8xh100: 8\n      f1.1xa100: {local-2: 4}\n';
const ROOT_EXTRA =
  '\ndefaults:\n  labels:\n    owner: ml-platform\n  health:\n    unhealthy_after: 3\napply:\n  concurrency: 4\nhistory_limit: 20\norphans: report\n' +
  'control_plane:\n  interval: 2m\n  heartbeat_interval: 30s\n  body_limit: 262144\n';
const EXTRA_FILES: Record<string, string> = {
  'pools/batch.yaml':
    '# Spare A100s that the control plane scales with utilisation.\nprovider: local\ngpu: a100\nregion: local-2\nzones: [local-2a]\nmin_nodes: 0\nmax_nodes: 3\n' +
    'autoscaling:\n  type: reactive\n  scale_up_at: 80\n  scale_down_at: 20\ncooldown: 10m\n',
  'jobs/smoke.yaml': 'gpu: h100\nrun: python smoke.py\n',
  'jobs/finetune.yaml': 'gpu: h100\npool: train\ngpus: 8\nrun: torchrun finetune.py\nenv:\n  EPOCHS: "3"\nmounts:\n  - s3://bucket/data:/data\n',
};

let work: string;
let base: string;
let baseFiles: Record<string, string>;
/** Node counts past the safety limit are fuzzed only once the limit exists (otherwise a plan would try to create them all). */
let maxCount: number | undefined;

/** Every file under `dir` by relative path, as bytes. */
async function snapshot(dir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [k, v] of await snapshot(dir, rel)) out.set(k, v);
    else if (entry.isFile()) out.set(rel, (await readFile(join(dir, rel))).toString('base64'));
  }
  return out;
}

async function writeFiles(dir: string, files: ConfigFiles): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    if (content === null) await rm(path, { force: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
  }
}

function bounded(run: Promise<TestRun>, what: string): Promise<TestRun> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CASE_BOUND_MS} ms (a hang)`)), CASE_BOUND_MS);
  });
  return Promise.race([run, hang]).finally(() => clearTimeout(timer));
}

const STACK = /^\s+at .+[:(]/m;
const LOCATED = /^error: (navarch\.yaml|(pools|jobs)\/[^:\n]+\.ya?ml):(\d+):(\d+): \S/;

/**
 * Problems with one run's answer (empty when it is one of the allowed outcomes). A safety guard's
 * refusal (it names the `--allow-…` flag that lifts it) needs no location; that it changed
 * nothing is checked by the caller.
 */
function judge(r: TestRun, files: ConfigFiles): string[] {
  const problems: string[] = [];
  if (STACK.test(r.err) || STACK.test(r.out)) problems.push('stack trace');
  if (/\binternal\b/.test(r.err)) problems.push('internal error');
  if (r.code === 0 || r.code === 2) {
    // A plan of odd but valid values still renders as numbers and words.
    const junk = /\b(NaN|Infinity|undefined)\b|\[object Object\]/.exec(r.out);
    if (junk) problems.push(`plan prints ${junk[0]}: ${r.out.slice(Math.max(0, junk.index - 120), junk.index + 40)}`);
    return problems;
  }
  if (r.code !== 1) return [...problems, `exit code ${r.code}`];
  const errors = r.err.split('\n').filter((l) => l.startsWith('error: '));
  if (errors.length === 0) problems.push('exit 1 without an error line');
  for (const line of errors) {
    if (/--allow-[a-z]+/.test(line)) continue;
    const m = LOCATED.exec(line);
    if (!m) {
      problems.push(`error without file:line: ${line.slice(0, 200)}`);
      continue;
    }
    const [, file = '', , lineNo = '0'] = m;
    const content = files[file] ?? baseFiles[file];
    const lines = content === null || content === undefined ? 1 : content.toString().split('\n').length;
    if (Number(lineNo) < 1 || Number(lineNo) > lines) problems.push(`line ${lineNo} is outside ${file} (${lines} lines): ${line.slice(0, 200)}`);
  }
  return problems;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'navarch-fuzz-'));
  // The directory keeps the fleet's name, so deleting `fleet:` keeps the same fleet.
  base = join(work, 'base', 'quickstart');
  await cp(join(ROOT, 'examples/quickstart'), base, { recursive: true, filter: (src) => !src.includes('/.navarch') && !src.endsWith('/status') });
  const root = await readFile(join(base, 'navarch.yaml'), 'utf8');
  const extended = root.replace(/^( {4}latency: .*\n)/m, `$1${PROVIDER_EXTRA}`);
  expect(extended).not.toBe(root);
  await writeFiles(base, { 'navarch.yaml': `${extended}${ROOT_EXTRA}`, ...EXTRA_FILES });
  baseFiles = {};
  for (const file of (await snapshot(base)).keys()) {
    if (file === 'navarch.yaml' || /^(pools|jobs)\//.test(file)) baseFiles[file] = await readFile(join(base, file), 'utf8');
  }
  expect(Object.keys(baseFiles).sort()).toEqual(['jobs/finetune.yaml', 'jobs/smoke.yaml', 'navarch.yaml', 'pools/batch.yaml', 'pools/inference.yaml', 'pools/train.yaml']);
  const applied = await runCommand(['apply', '--dir', base, '--auto-approve'], { env: { NO_COLOR: '1' } });
  expect(applied.code, applied.err).toBe(0);
  // One plan settles the fake cloud's instances, so later plans leave its file as it is.
  expect((await runCommand(['plan', '--dir', base, '--detailed-exitcode'])).code).toBe(0);
  const schema = JSON.parse(await readFile(join(ROOT, 'schemas/navarch.schema.json'), 'utf8')) as { properties?: { safety?: { properties?: Record<string, unknown> } } };
  maxCount = schema.properties?.safety?.properties?.['max_nodes_per_pool'] ? undefined : 100_000;
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('seeded config fuzzing', () => {
  it(`plans or names file:line for ${CASES} mutations of the quickstart, changing nothing on error (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    const outcomes = { planned: 0, refused: 0, applied: 0 };
    for (let n = ONLY ?? 0; n < (ONLY === undefined ? CASES : ONLY + 1) && failures.length < 10; n++) {
      const rng = new Rng(SEED + n);
      const { files, mutations } = mutate(rng, baseFiles, maxCount === undefined ? {} : { maxCount });
      const dir = join(work, `case-${n}`, 'quickstart');
      await cp(base, dir, { recursive: true });
      const report = (problems: string[], command: string, r: TestRun): void => {
        failures.push(
          `NAVARCH_FUZZ_SEED=${SEED} NAVARCH_FUZZ_CASE=${n}: ${command}: ${problems.join('; ')}\n` +
            `  mutations: ${mutations.map((m: Mutation) => `${m.file}: ${m.what}`).join(' | ')}\n` +
            `  exit ${r.code}; stderr: ${r.err.slice(0, 600)}`,
        );
      };
      try {
        await writeFiles(dir, files);
        const before = await snapshot(dir);
        const plan = await bounded(runCommand(['plan', '--dir', dir, '--detailed-exitcode'], { env: { NO_COLOR: '1' } }), 'plan');
        const problems = judge(plan, files);
        if (plan.code === 1 && !sameFiles(before, await snapshot(dir))) problems.push('plan changed files although it failed');
        if (problems.length > 0) report(problems, 'plan', plan);
        if (plan.code === 1) outcomes.refused++;
        else outcomes.planned++;

        const adds = Number(/Plan: (\d+) to add/.exec(plan.out)?.[1] ?? 0);
        if (n % APPLY_EVERY === 0 && problems.length === 0 && adds <= APPLY_MAX_ADDS) {
          const applyProblems = await applyCase(dir, files, plan.code === 1);
          if (applyProblems.problems.length > 0) report(applyProblems.problems, 'apply', applyProblems.run);
          outcomes.applied++;
        }
      } finally {
        await rm(dirname(dir), { recursive: true, force: true });
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    if (ONLY !== undefined) return;
    // The mutations reach both sides: plenty refused, some still valid.
    expect(outcomes.refused).toBeGreaterThan(CASES / 4);
    expect(outcomes.planned).toBeGreaterThan(CASES / 20);
    expect(outcomes.applied).toBeGreaterThan(CASES / APPLY_EVERY / 2);
  });
});

/** The configuration's own files, which nothing navarch does may write. */
function configOf(files: Map<string, string>): Map<string, string> {
  return new Map([...files].filter(([path]) => path === 'navarch.yaml' || /^(pools|jobs)\//.test(path)));
}

/**
 * Runs apply on a case. Refused (exit 1 with located errors, or a guard): nothing changes. Applied
 * (exit 0): the configuration is untouched and the next plan has nothing to do. Incomplete (the
 * fake cloud ran out of capacity or failed on purpose): the configuration is untouched.
 */
async function applyCase(dir: string, files: ConfigFiles, planRefused: boolean): Promise<{ problems: string[]; run: TestRun }> {
  const before = await snapshot(dir);
  const run = await bounded(runCommand(['apply', '--dir', dir, '--auto-approve'], { env: { NO_COLOR: '1' } }), 'apply');
  const after = await snapshot(dir);
  const incomplete = run.code === 1 && /^Apply incomplete: /m.test(run.out);
  const problems = incomplete ? [] : judge(run, files);
  if (planRefused && run.code !== 1) problems.push(`plan refused the config but apply exited ${run.code}`);
  if (!sameFiles(configOf(before), configOf(after))) problems.push('apply wrote to the configuration');
  if (run.code === 1 && !incomplete && !sameFiles(before, after)) problems.push('apply changed files although it refused');
  if (run.code === 0) {
    const again = await bounded(runCommand(['plan', '--dir', dir, '--detailed-exitcode'], { env: { NO_COLOR: '1' } }), 'plan after apply');
    if (again.code !== 0) problems.push(`plan after a complete apply exited ${again.code}: ${(again.err || again.out).slice(0, 300)}`);
  }
  return { problems, run };
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
