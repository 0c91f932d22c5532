/**
 * The flag conventions (README "Commands"), checked by walking commander's command trees of both
 * programs, navarch and navarch-agent, so that a command added later is held to them too.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildAgentProgram, type AgentCliContext } from '../../agent/index.js';
import { systemClock } from '../model/index.js';
import type { CliContext } from './context.js';
import { buildProgram } from './main.js';
import { COMMAND_SPECIFIC_HELP, SHARED_OPTIONS, SHORT_FLAGS } from './options.js';
import { runCommand } from './testing.js';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart', import.meta.url));

const sink = { write: (): void => undefined, isTTY: false };
const navarchCtx: CliContext = { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, cwd: '.', clock: systemClock, exitCode: 0 };
const agentCtx: AgentCliContext = { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, exitCode: 0 };

interface Found {
  /** `navarch token node` */
  path: string;
  cmd: Command;
}

function walk(cmd: Command, path: string, out: Found[] = []): Found[] {
  out.push({ path, cmd });
  for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`, out);
  return out;
}

const navarch = walk(await buildProgram(navarchCtx), 'navarch');
const agent = walk(buildAgentProgram(agentCtx), 'navarch-agent');
/** Commands that run something (not the programs, not groups such as `token`). */
const leaves = (tree: Found[]): Found[] => tree.filter((f) => f.cmd.commands.length === 0);
const options = (trees: Found[][]): Array<Found & { option: Option }> =>
  trees.flat().flatMap((f) => f.cmd.options.filter((o) => !o.hidden).map((option) => ({ ...f, option })));

/** The one command that reads no config repository: a node's token derives from a secret and the node id. */
const READS_NO_REPO = new Set(['navarch token node']);

describe('navarch commands', () => {
  it('walks every command the program has', () => {
    expect(leaves(navarch).map((f) => f.path)).toEqual(
      expect.arrayContaining(['init', 'validate', 'plan', 'apply', 'status', 'reconcile', 'force-unlock', 'gpus', 'serve', 'token node'].map((c) => `navarch ${c}`)),
    );
  });

  it.each(navarch.map((f) => [f.path]))('%s --help prints its usage and exits 0', async (path) => {
    const words = path.split(' ').slice(1);
    const r = await runCommand([...words, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: ${path.replace(/ /g, ' ')}( |\\n)`));
    expect(r.out).toContain('-h, --help');
  });

  it('every command takes --no-color', () => {
    for (const f of leaves(navarch)) expect(f.cmd.options.map((o) => o.flags), f.path).toContain(SHARED_OPTIONS.color.flags);
  });

  it('every command that reads a config repository takes -d, --dir', () => {
    const reading = leaves(navarch).filter((f) => !READS_NO_REPO.has(f.path));
    expect(reading.length).toBe(leaves(navarch).length - READS_NO_REPO.size);
    for (const f of reading) {
      const dir = f.cmd.options.find((o) => o.long === '--dir');
      expect(dir?.flags, f.path).toBe(SHARED_OPTIONS.dir.flags);
      expect(dir?.description, f.path).toBe(SHARED_OPTIONS.dir.description);
    }
  });

  it('every command that prints JSON takes -o, --output, and --json means -o json', () => {
    for (const f of leaves(navarch).filter((x) => x.cmd.options.some((o) => o.long === '--json'))) {
      const output = f.cmd.options.find((o) => o.long === '--output');
      expect(output?.flags, f.path).toBe(SHARED_OPTIONS.output.flags);
      expect(output?.argChoices, f.path).toContain('json');
    }
    // A table with more columns to give takes -o wide too.
    expect(leaves(navarch).find((f) => f.path === 'navarch status')?.cmd.options.find((o) => o.long === '--output')?.argChoices).toEqual(['text', 'json', 'wide']);
  });
});

describe('both programs', () => {
  const all = options([navarch, agent]);

  it('use -d for --dir only, and other short flags only where kubectl or Terraform users expect them', () => {
    const shorts = all.filter((x) => x.option.short !== undefined);
    expect(shorts.length).toBeGreaterThan(0);
    for (const { path, option } of shorts) {
      expect(SHORT_FLAGS[option.short ?? ''] ?? [], `${path} ${option.flags}`).toContain(option.long);
    }
  });

  it('give a long flag one meaning: the shared definition, the same help everywhere, or the same argument with command-specific help', () => {
    const byLong = new Map<string, Array<{ path: string; option: Option }>>();
    for (const x of all) byLong.set(x.option.long ?? '', [...(byLong.get(x.option.long ?? '') ?? []), x]);
    const shared = new Map(Object.values(SHARED_OPTIONS).map((s) => [s.flags.split(/[ ,]+/).find((w) => w.startsWith('--')), s]));
    for (const [long, uses] of byLong) {
      const spec = shared.get(long);
      if (spec) {
        for (const { path, option } of uses) expect({ flags: option.flags, description: option.description }, path).toEqual(spec);
        continue;
      }
      const where = uses.map((u) => u.path).join(', ');
      const flags = new Set(uses.map((u) => u.option.flags));
      expect([...flags], `${long} takes different arguments on ${where}`).toHaveLength(1);
      if (COMMAND_SPECIFIC_HELP.includes(long)) continue;
      const help = new Set(uses.map((u) => u.option.description));
      expect([...help], `${long} is worded differently on ${where}: define it once (SHARED_OPTIONS)`).toHaveLength(1);
    }
  });

  it('share the wording of the options they have in common', () => {
    const check = leaves(agent).find((f) => f.path === 'navarch-agent check');
    const plan = leaves(navarch).find((f) => f.path === 'navarch plan');
    for (const long of ['--json', '--output']) {
      const a = check?.cmd.options.find((o) => o.long === long);
      const n = plan?.cmd.options.find((o) => o.long === long);
      expect(a && { flags: a.flags, description: a.description }).toEqual(n && { flags: n.flags, description: n.description });
    }
  });
});

describe('-d, --dir', () => {
  it('init takes the directory to create as --dir or as its argument, but not two different ones', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'navarch-init-dir-'));
    try {
      expect((await runCommand(['init', '-d', 'fleet'], { cwd: scratch })).code).toBe(0);
      expect(existsSync(join(scratch, 'fleet/navarch.yaml'))).toBe(true);
      expect((await runCommand(['init', 'other', '--dir', './other'], { cwd: scratch })).code).toBe(0);
      expect(existsSync(join(scratch, 'other/navarch.yaml'))).toBe(true);
      const both = await runCommand(['init', 'a', '--dir', 'b'], { cwd: scratch });
      expect(both.code).toBe(1);
      expect(both.err).toBe('error: give the directory once: "a" and --dir b name different directories\n');
      expect(existsSync(join(scratch, 'a')) || existsSync(join(scratch, 'b'))).toBe(false);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('output and colour options', () => {
  it('apply --json cannot ask for confirmation: it needs --auto-approve or a saved plan, and changes nothing', async () => {
    const r = await runCommand(['apply', '-d', QUICKSTART, '--json']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toHaveLength(2);
    expect(JSON.parse(r.out)).toEqual({
      error: { name: 'NavarchError', code: 'cli.invalid', message: 'apply --json needs --auto-approve or a saved plan file, as it cannot ask for confirmation; nothing was changed' },
    });
  });

  it('-o json and --output json are --json', async () => {
    const json = await runCommand(['validate', '-d', QUICKSTART, '--json']);
    expect(JSON.parse(json.out)).toEqual({ valid: true, errors: [] });
    expect((await runCommand(['validate', '-d', QUICKSTART, '-o', 'json'])).out).toBe(json.out);
    expect((await runCommand(['validate', `--dir=${QUICKSTART}`, '--output=json'])).out).toBe(json.out);
  });

  it('refuses --json with another output format, and an unknown format, as usage errors', async () => {
    const both = await runCommand(['validate', '-d', QUICKSTART, '--json', '-o', 'text']);
    expect(both.code).toBe(1);
    expect(both.err).toBe('');
    expect(JSON.parse(both.out)).toMatchObject({ error: { code: 'cli.invalid', message: '--json and --output text contradict each other; give one of them' } });
    const unknown = await runCommand(['plan', '-d', QUICKSTART, '-o', 'plan.json']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("option '-o, --output <format>' argument 'plan.json' is invalid. Allowed choices are text, json.");
  });

  const green = '\x1b[32m';
  it.each([
    ['off a terminal', {}, false, [], false],
    ['on a terminal', {}, true, [], true],
    ['with NO_COLOR on a terminal', { NO_COLOR: '1' }, true, [], false],
    ['with FORCE_COLOR off a terminal', { FORCE_COLOR: '1' }, false, [], true],
    ['with FORCE_COLOR over NO_COLOR', { FORCE_COLOR: 'true', NO_COLOR: '1' }, false, [], true],
    ['with FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0' }, true, [], false],
    ['with --no-color over FORCE_COLOR', { FORCE_COLOR: '1' }, true, ['--no-color'], false],
  ] as const)('colours %s: %s', async (_name, env, tty, extra, coloured) => {
    const r = await runCommand(['validate', '-d', QUICKSTART, ...extra], { env, tty });
    expect(r.code).toBe(0);
    expect(r.out.includes(green)).toBe(coloured);
  });
});
