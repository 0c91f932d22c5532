/** The workflows users copy (examples/github, and `navarch init`) use the action as action.yml defines it. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { steps: Step[] }>;
}

const load = async (name: string): Promise<Workflow> => parse(await readFile(join(ROOT, 'examples/github', `${name}.yml`), 'utf8')) as Workflow;

describe('example workflows', () => {
  it('check out the repository, then run the action with inputs it has', async () => {
    const inputs = Object.keys((parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs);
    const expected: Record<string, { on: string[]; permissions: Record<string, string>; with: Record<string, unknown> }> = {
      plan: { on: ['pull_request'], permissions: { contents: 'read', 'pull-requests': 'write' }, with: { command: 'plan' } },
      apply: {
        on: ['push', 'workflow_dispatch'],
        permissions: { contents: 'write', 'pull-requests': 'read' },
        with: { command: 'apply', 'require-reviewed-plan': "${{ github.event_name == 'push' }}" },
      },
      drift: { on: ['schedule', 'workflow_dispatch'], permissions: { contents: 'read', issues: 'write' }, with: { command: 'drift' } },
    };
    for (const [name, want] of Object.entries(expected)) {
      const wf = await load(name);
      expect(Object.keys(wf.on), name).toEqual(want.on);
      expect(wf.permissions, name).toEqual(want.permissions);
      expect(wf.concurrency.group, name).toMatch(/^navarch-/);
      const steps = Object.values(wf.jobs)[0]?.steps ?? [];
      expect(steps[0]?.uses, name).toBe('actions/checkout@v4');
      expect(steps[1]?.uses, name).toBe('<owner>/navarch@v0');
      expect(steps[1]?.with, name).toEqual(want.with);
      for (const key of Object.keys(steps[1]?.with ?? {})) expect(inputs, `${name}: ${key}`).toContain(key);
    }
    const apply = await load('apply');
    expect(apply.concurrency).toEqual({ group: 'navarch-apply', 'cancel-in-progress': false });
    expect(apply.jobs['apply']?.steps[0]?.with).toEqual({ 'fetch-depth': 0 });
  });
});
