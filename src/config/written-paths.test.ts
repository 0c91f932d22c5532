/** The files navarch writes must be files of their own: not config, not git's, not a directory, not each other. */
import { describe, expect, it } from 'vitest';
import { validateRepo } from './load.js';
import { memorySource } from './memory-source.js';

const POOL = { 'pools/train.yaml': 'provider: local\ngpu: h100\n' };

async function diagnose(navarch: string, extra: Record<string, string> = {}): Promise<string[]> {
  const { diagnostics } = await validateRepo(memorySource({ 'navarch.yaml': navarch, ...POOL, ...extra }, '/repos/demo'));
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);
}

const fake = (settings = ''): string => `providers:\n  local:\n    type: fake\n${settings}`;

describe('paths navarch writes', () => {
  it('accepts the defaults, other files, and fake providers sharing one state file', async () => {
    expect(await diagnose(fake())).toEqual([]);
    expect(await diagnose(`${fake('    state_file: state/cloud.json\n')}status_file: out/status.yaml\ncontrol_plane:\n  store: state/cp.db\n`)).toEqual([]);
    expect(await diagnose(`${fake('    state_file: shared.json\n')}  other:\n    type: fake\n    state_file: ./shared.json\n`)).toEqual([]);
  });

  it('refuses the configuration, git, a directory, and navarch’s own directory', async () => {
    expect(await diagnose(`${fake()}status_file: ./navarch.yaml\n`)).toEqual([
      'navarch.yaml:4:14 `status_file` ("./navarch.yaml"): navarch.yaml is the configuration itself; name a file of its own (e.g. status/fleet.yaml)',
    ]);
    expect(await diagnose(fake('    state_file: jobs/state.json\n'))).toEqual([
      'navarch.yaml:4:17 `providers.local.state_file` ("jobs/state.json"): jobs/ holds configuration navarch reads; name a file outside pools/ and jobs/',
    ]);
    expect(await diagnose(`${fake()}control_plane:\n  store: .git/cp.db\n`)).toEqual([
      'navarch.yaml:5:10 `control_plane.store` (".git/cp.db"): .git/ is git’s own directory; name a file outside it',
    ]);
    expect(await diagnose(`${fake()}status_file: status/\n`)).toEqual([
      'navarch.yaml:4:14 `status_file` ("status/"): expected the path of a file inside the repository, not a directory',
    ]);
    expect(await diagnose(`${fake()}status_file: .navarch\n`)).toEqual([
      'navarch.yaml:4:14 `status_file` (".navarch"): .navarch is the directory navarch keeps local state in; name a file inside it or elsewhere',
    ]);
  });

  it('refuses two written paths that are one file, or a file and a path inside it, where the user wrote one', async () => {
    expect(await diagnose(`${fake()}control_plane:\n  store: status/fleet.yaml\n`)).toEqual([
      'navarch.yaml:5:10 `control_plane.store` ("status/fleet.yaml") names the same file as `status_file` (default "status/fleet.yaml"): the control plane’s store and the status file each need a file of their own',
    ]);
    expect(await diagnose(`${fake('    state_file: status/fleet.yaml/x\n')}`)).toEqual([
      'navarch.yaml:4:17 `providers.local.state_file` ("status/fleet.yaml/x") and `status_file` (default "status/fleet.yaml") are a file and a path inside it: a fake cloud’s state file and the status file each need a file of their own',
    ]);
  });

  it('refuses a path the repository’s files leave no room for', async () => {
    expect(await diagnose(`${fake()}status_file: README.md/status.yaml\n`, { 'README.md': 'hi\n' })).toEqual([
      'navarch.yaml:4:14 `status_file` ("README.md/status.yaml"): README.md is a file in the repository, so nothing can be written inside it',
    ]);
    expect(await diagnose(`${fake()}status_file: docs\n`, { 'docs/a.md': 'a\n' })).toEqual([
      'navarch.yaml:4:14 `status_file` ("docs"): docs is a directory in the repository; name a file',
    ]);
  });

  it('leaves paths outside the repository to the checks that refuse them', async () => {
    expect(await diagnose(`${fake()}status_file: ../elsewhere.yaml\n`)).toEqual([
      'navarch.yaml:4:14 expected a path inside the repository (relative, without `..`)',
    ]);
  });
});
