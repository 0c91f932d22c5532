/**
 * Runs the bundled action (dist/action/index.js) as GitHub does: a node process with the event
 * payload in a file, the `GITHUB_*` variables, `INPUT_*` for every input of action.yml (defaults
 * applied, `${{ github.token }}` resolved), and files for outputs and the job summary, which are
 * read back after the run along with the workflow commands it printed (annotations, failures).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';

export const ACTION_ENTRY = join(ROOT, 'dist/action/index.js');

/** A workflow command the action printed (`::error file=…,line=…::message`). */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  commands: WorkflowCommand[];
  /** `::error` commands with a file (annotations). */
  annotations: WorkflowCommand[];
  /** The message of `core.setFailed` (an `::error` without a file), if any. */
  failure: string | undefined;
}

export interface RunOptions {
  event: string;
  payload?: Record<string, unknown>;
  workspace: string;
  inputs: Record<string, string>;
  sha: string;
  ref?: string;
  apiUrl: string;
  token: string;
  repository?: string;
  runId?: number;
  env?: Record<string, string>;
}

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
}

let actionYaml: ActionYaml | undefined;

async function inputDefaults(): Promise<ActionYaml['inputs']> {
  actionYaml ??= parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;
  return actionYaml.inputs;
}

const unescapeData = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string): string => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** Parses `::name k=v,k=v::message` lines. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const part of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const at = part.indexOf('=');
      properties[part.slice(0, at)] = unescapeProperty(part.slice(at + 1));
    }
    out.push({ command: m[1] ?? '', properties, message: unescapeData(m[3] ?? '') });
  }
  return out;
}

/** Parses the GITHUB_OUTPUT file (`name<<DELIMITER` … `DELIMITER`). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m?.[1] || !m[2]) continue;
    const end = lines.indexOf(m[2], i + 1);
    out[m[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/** Runs the action once and collects everything it produced. */
export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const temp = await mkdtemp(join(tmpdir(), 'navarch-action-run-'));
  try {
    const files = { event: join(temp, 'event.json'), output: join(temp, 'output'), summary: join(temp, 'summary.md'), state: join(temp, 'state') };
    await writeFile(files.event, JSON.stringify(opts.payload ?? {}));
    for (const f of [files.output, files.summary, files.state]) await writeFile(f, '');
    const inputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(await inputDefaults())) {
      const value = opts.inputs[name] ?? spec.default ?? '';
      inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value === '${{ github.token }}' ? opts.token : value;
    }
    const repository = opts.repository ?? 'acme/fleet';
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: temp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: opts.event,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
      GITHUB_SHA: opts.sha,
      GITHUB_REF: opts.ref ?? 'refs/heads/main',
      GITHUB_WORKSPACE: opts.workspace,
      GITHUB_API_URL: opts.apiUrl,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_RUN_ID: String(opts.runId ?? 4242),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'navarch',
      GITHUB_ACTION: 'navarch',
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_STATE: files.state,
      RUNNER_TEMP: temp,
      NO_COLOR: '1',
      ...inputs,
      ...opts.env,
    };
    const child = spawn(process.execPath, [ACTION_ENTRY], { cwd: opts.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    });
    const commands = parseCommands(stdout);
    const errors = commands.filter((c) => c.command === 'error');
    // The plan file lives in RUNNER_TEMP, removed below: keep its text under the output's name.
    const outputs = parseOutputs(await readFile(files.output, 'utf8'));
    if (outputs['plan-file']) outputs['plan-file-text'] = await readFile(outputs['plan-file'], 'utf8').catch(() => '');
    return {
      code,
      stdout,
      stderr,
      outputs,
      summary: await readFile(files.summary, 'utf8'),
      commands,
      annotations: errors.filter((c) => c.properties['file'] !== undefined),
      failure: errors.find((c) => c.properties['file'] === undefined)?.message,
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
