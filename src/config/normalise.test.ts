import { describe, expect, it } from 'vitest';
import { ConfigError, type DesiredFleet, type PlacementCandidate } from '../model/index.js';
import { memorySource } from './memory-source.js';
import { fleetNameFromRoot, loadDesired } from './load.js';

const NAVARCH = 'providers:\n  local:\n    type: fake\n  spare:\n    type: fake\n';

const load = (files: Record<string, string>, root = '/repos/demo'): Promise<DesiredFleet> => loadDesired(memorySource(files, root));

/** provider/region/type@priority $price [zones] — compact enough to compare whole lists. */
const brief = (c: PlacementCandidate): string =>
  `${c.provider}/${c.region}/${c.instanceType}@${c.priority} ${c.pricePerHour ?? '?'}${c.spot ? ' spot' : ''} [${c.zones.join(',')}]`;

async function candidates(poolText: string, navarch = NAVARCH): Promise<string[]> {
  const desired = await load({ 'navarch.yaml': navarch, 'pools/p.yaml': poolText });
  return desired.pools[0]?.candidates.map(brief) ?? [];
}

describe('candidates', () => {
  it('expands to every catalog region of the type, in catalog order, when no region is given', async () => {
    expect(await candidates('provider: local\ngpu: h100\ngpus: 8\n')).toEqual(['local/local-1/f1.8xh100@1 23.92 []', 'local/local-2/f1.8xh100@1 23.92 []']);
  });

  it('takes regions from the entry, then the pool, then defaults', async () => {
    expect(await candidates('providers:\n  - name: local\n    regions: [local-2]\nregion: local-1\ninstance_type: f1.1xa10\n')).toEqual([
      'local/local-2/f1.1xa10@1 0.75 []',
    ]);
    expect(await candidates('provider: local\nregion: local-2\ninstance_type: f1.1xa10\n')).toEqual(['local/local-2/f1.1xa10@1 0.75 []']);
    expect(await candidates('provider: local\ninstance_type: f1.1xa10\n', `${NAVARCH}defaults:\n  region: local-2\n`)).toEqual([
      'local/local-2/f1.1xa10@1 0.75 []',
    ]);
  });

  it('orders by priority, then price, then names; priority defaults to list position', async () => {
    const text = [
      'providers:',
      '  - name: spare',
      '    instance_type: f1.8xh100',
      '    regions: [local-2, local-1]',
      '  - name: local',
      '    instance_type: f1.8xa100-80gb',
      '    regions: [local-1]',
      '    priority: 1',
      '  - name: local',
      '    instance_type: f1.1xa10',
      '    regions: [local-1]',
      '    priority: 0',
    ].join('\n');
    expect(await candidates(`${text}\n`)).toEqual([
      'local/local-1/f1.1xa10@0 0.75 []',
      'local/local-1/f1.8xa100-80gb@1 14.32 []',
      'spare/local-1/f1.8xh100@1 23.92 []',
      'spare/local-2/f1.8xh100@1 23.92 []',
    ]);
  });

  it('prices spot placements at the spot price', async () => {
    expect(await candidates('provider: local\ninstance_type: f1.1xa10\nregion: local-1\nspot: true\n')).toEqual(['local/local-1/f1.1xa10@1 0.3 spot []']);
  });

  it('keeps the listed zones of each region and drops regions none of them is in', async () => {
    expect(await candidates('provider: local\ninstance_type: f1.1xa10\nzones: [local-2a, local-1b]\n')).toEqual([
      'local/local-1/f1.1xa10@1 0.75 [local-1b]',
      'local/local-2/f1.1xa10@1 0.75 [local-2a]',
    ]);
    expect(await candidates('provider: local\ninstance_type: f1.1xa10\nzones: [local-1b, local-1a]\n')).toEqual(['local/local-1/f1.1xa10@1 0.75 [local-1b,local-1a]']);
  });

  it('drops placements above max_price per GPU-hour and keeps the rest', async () => {
    const text = 'providers:\n  - name: local\n    instance_type: f1.8xh100\n  - name: spare\n    instance_type: f1.8xa100-80gb\nregion: local-1\nmax_price: 2\n';
    expect(await candidates(text)).toEqual(['spare/local-1/f1.8xa100-80gb@2 14.32 []']);
  });

  it('puts placements of unknown price after priced ones of equal priority', async () => {
    const navarch = `${NAVARCH}  east:\n    type: aws\n`;
    const text = 'providers:\n  - name: east\n    instance_type: p5e.48xlarge\n    regions: [us-east-2]\n    priority: 1\n  - name: local\n    instance_type: f1.8xh100\n    regions: [local-1]\n    priority: 1\nmax_price: 0.5\n';
    expect(await candidates(text, navarch)).toEqual(['east/us-east-2/p5e.48xlarge@1 ? []']);
    expect(await candidates(text.replace('max_price: 0.5\n', ''), navarch)).toEqual(['local/local-1/f1.8xh100@1 23.92 []', 'east/us-east-2/p5e.48xlarge@1 ? []']);
  });
});

describe('pool normalisation', () => {
  it('fills defaults and computes the target', async () => {
    const navarch = `${NAVARCH}defaults:\n  spot: true\n  labels: {team: ml, env: dev}\n  health: {unhealthy_after: 3}\n`;
    const desired = await load({
      'navarch.yaml': navarch,
      'pools/b.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nlabels: {env: prod}\nmin_nodes: 2\ncooldown: 10m\nautoscaling: {type: reactive, scale_up_at: 80}\nprotect: true\n',
      'pools/a.yaml': 'provider: local\ngpu: A10\nregion: local-1\nspot: false\nnodes: 3\nhealth: {auto_replace: false}\n',
    });
    const [a, b] = desired.pools;
    expect(desired.pools.map((p) => p.name)).toEqual(['a', 'b']);
    expect(a).toMatchObject({
      gpu: 'a10',
      gpus: 1,
      minNodes: 0,
      maxNodes: 3,
      targetNodes: 3,
      spot: false,
      labels: { team: 'ml', env: 'dev' },
      health: { unhealthyAfter: 3, autoReplace: false },
      autoscaling: undefined,
      cooldownMs: undefined,
      protect: false,
      source: { file: 'pools/a.yaml', line: 1, column: 1 },
    });
    expect(b).toMatchObject({
      gpu: undefined,
      gpus: 8,
      minNodes: 2,
      maxNodes: 2,
      targetNodes: 2,
      spot: true,
      labels: { team: 'ml', env: 'prod' },
      health: { unhealthyAfter: 3, autoReplace: true },
      autoscaling: { type: 'reactive', scale_up_at: 80 },
      cooldownMs: 600_000,
      protect: true,
    });
    expect(b?.candidates.map(brief)).toEqual(['local/local-1/f1.8xh100@1 9.57 spot []']);
  });

  it('keeps each pool as written, name included and defaults not applied', async () => {
    const desired = await load({
      'navarch.yaml': `${NAVARCH}pools:\n  inline:\n    provider: local\n    gpu: h100\n`,
      'pools/train.yaml': '# train\nprovider: local\ngpu: h100\nmin_nodes: 1\n',
    });
    expect(desired.poolDocuments).toEqual({
      inline: { name: 'inline', provider: 'local', gpu: 'h100' },
      train: { name: 'train', provider: 'local', gpu: 'h100', min_nodes: 1 },
    });
    expect(desired.pools.find((p) => p.name === 'inline')?.source).toEqual({ file: 'navarch.yaml', line: 7, column: 3 });
  });
});

describe('fleet normalisation', () => {
  it('applies fleet-wide defaults', async () => {
    const desired = await loadDesired(memorySource({ 'navarch.yaml': NAVARCH }, '/home/me/My GPU_Fleet/'), { commit: 'abc123' });
    expect(desired).toMatchObject({
      fleet: 'my-gpu-fleet',
      root: '/home/me/My GPU_Fleet/',
      commit: 'abc123',
      statusFile: 'status/fleet.yaml',
      pools: [],
      jobs: [],
      settings: { maxDestroyPercent: 50, maxNodesPerPool: 1000, maxCreate: 200, orphans: 'report', historyLimit: 20, applyConcurrency: 8 },
    });
    expect(desired.providers['local']).toEqual({ name: 'local', type: 'fake', settings: {}, source: { file: 'navarch.yaml', line: 2, column: 3 } });
  });

  it('reads settings, providers and jobs as written', async () => {
    const navarch = `fleet: research\nstatus_file: state/fleet.yaml\nproviders:\n  local:\n    type: fake\n    latency: 200ms\n    capacity: {f1.8xh100: {local-1: 2, "*": 10}}\nsafety: {max_destroy_percent: 25, max_nodes_per_pool: 64, max_create: 16}\norphans: destroy\nhistory_limit: 5\napply: {concurrency: 2}\n`;
    const desired = await load({ 'navarch.yaml': navarch, 'jobs/tune.yaml': 'gpu: H100\nrun: python tune.py\nenv: {A: "1"}\nmounts: ["s3://b/data:/data"]\n' });
    expect(desired.fleet).toBe('research');
    expect(desired.statusFile).toBe('state/fleet.yaml');
    expect(desired.settings).toEqual({ maxDestroyPercent: 25, maxNodesPerPool: 64, maxCreate: 16, orphans: 'destroy', historyLimit: 5, applyConcurrency: 2 });
    expect(desired.providers['local']?.settings).toEqual({ latency: '200ms', capacity: { 'f1.8xh100': { 'local-1': 2, '*': 10 } } });
    expect(desired.jobs).toEqual([
      {
        name: 'tune',
        source: { file: 'jobs/tune.yaml', line: 1, column: 1 },
        gpu: 'h100',
        gpus: 1,
        nodes: 1,
        spot: false,
        maxPrice: undefined,
        image: undefined,
        env: { A: '1' },
        workdir: undefined,
        mounts: ['s3://b/data:/data'],
        setup: undefined,
        run: 'python tune.py',
        pool: undefined,
      },
    ]);
  });

  it.each([
    ['/repos/quickstart', 'quickstart'],
    ['/x/42-Team.Repo', 'team-repo'],
    ['/x/___', 'fleet'],
    [`/x/${'a'.repeat(50)}`, 'a'.repeat(39)],
  ])('derives the fleet name from %s', (root, name) => expect(fleetNameFromRoot(root)).toBe(name));

  it('throws ConfigError carrying every diagnostic', async () => {
    const err = await load({ 'navarch.yaml': `${NAVARCH}orphans: x\n`, 'pools/p.yaml': 'provider: nope\ngpu: h100\n' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).diagnostics.map((d) => d.path)).toEqual(['/orphans', '/pools/p/provider']);
  });
});

describe('digest', () => {
  const navarch = `${NAVARCH}defaults:\n  labels: {team: ml}\n`;
  const pool = 'provider: local\ngpu: h100\ngpus: 8\nmin_nodes: 1\nmax_nodes: 4\nlabels: {env: prod}\n';

  it('ignores formatting, key order, comments, file placement and the root', async () => {
    const a = await load({ 'navarch.yaml': navarch, 'pools/train.yaml': pool }, '/repos/one/demo');
    const reformatted = '# the training pool\nmax_nodes: 4\nlabels:\n  env: "prod"\nmin_nodes: 1\ngpus: 8\ngpu: h100\nprovider: local\n';
    const b = await load({ 'navarch.yaml': `# fleet\n${navarch}`, 'pools/train.yml': reformatted }, '/elsewhere/demo');
    const inline = `${navarch}pools:\n  train: {provider: local, gpu: h100, gpus: 8, min_nodes: 1, max_nodes: 4, labels: {env: prod}}\n`;
    const c = await load({ 'navarch.yaml': inline }, '/repos/two/demo');
    const renamed = await load({ 'navarch.yaml': navarch, 'pools/whatever.yaml': `name: train\n${pool}` }, '/repos/one/demo');
    expect(b.digest).toBe(a.digest);
    expect(c.digest).toBe(a.digest);
    expect(renamed.digest).toBe(a.digest);
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['min_nodes', pool.replace('min_nodes: 1', 'min_nodes: 2')],
    ['a label', pool.replace('env: prod', 'env: dev')],
    ['spot', `${pool}spot: true\n`],
  ])('changes with a semantic edit (%s)', async (_what, edited) => {
    const a = await load({ 'navarch.yaml': navarch, 'pools/train.yaml': pool });
    const b = await load({ 'navarch.yaml': navarch, 'pools/train.yaml': edited });
    expect(b.digest).not.toBe(a.digest);
  });

  it('changes with the fleet name and provider settings', async () => {
    const a = await load({ 'navarch.yaml': navarch });
    expect((await load({ 'navarch.yaml': `fleet: other\n${navarch}` })).digest).not.toBe(a.digest);
    expect((await load({ 'navarch.yaml': navarch.replace('type: fake\n  spare', 'type: fake\n    latency: 1s\n  spare') })).digest).not.toBe(a.digest);
  });
});
