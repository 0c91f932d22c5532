/** Builders for plan inputs, shared by the planner's tests and benchmarks. */
import { priceOf } from '../catalog/index.js';
import {
  digestOf,
  type DesiredFleet,
  type ObservedFleet,
  type ObservedNode,
  type PlacementCandidate,
  type PoolSpec,
} from '../model/index.js';

export function candidate(over: Partial<PlacementCandidate> = {}): PlacementCandidate {
  const base: PlacementCandidate = {
    provider: 'local',
    providerType: 'fake',
    region: 'local-1',
    zones: [],
    instanceType: 'f1.8xh100',
    priority: 1,
    spot: false,
    pricePerHour: undefined,
  };
  const c = { ...base, ...over };
  if (!('pricePerHour' in over)) c.pricePerHour = priceOf(c.providerType, c.instanceType, c.region, c.spot);
  return c;
}

export function pool(name: string, over: Partial<PoolSpec> = {}): PoolSpec {
  const minNodes = over.minNodes ?? 2;
  return {
    name,
    source: { file: `pools/${name}.yaml`, line: 1, column: 1 },
    gpu: undefined,
    gpus: undefined,
    candidates: [candidate()],
    minNodes,
    maxNodes: 10,
    targetNodes: minNodes,
    spot: false,
    maxPrice: undefined,
    labels: {},
    health: { unhealthyAfter: 2, autoReplace: true },
    autoscaling: undefined,
    cooldownMs: undefined,
    protect: false,
    ...over,
  };
}

export function desired(pools: PoolSpec[], over: Partial<DesiredFleet> = {}): DesiredFleet {
  const poolDocuments: Record<string, Record<string, unknown>> = {};
  for (const p of pools) poolDocuments[p.name] = { name: p.name, min_nodes: p.minNodes, max_nodes: p.maxNodes };
  const d: DesiredFleet = {
    fleet: 'test',
    root: '/repo',
    commit: undefined,
    digest: '',
    statusFile: 'status/fleet.yaml',
    providers: {
      local: { name: 'local', type: 'fake', settings: {}, source: { file: 'navarch.yaml', line: 3, column: 3 } },
    },
    pools: [...pools].sort((a, b) => a.name.localeCompare(b.name)),
    jobs: [],
    settings: { maxDestroyPercent: 50, maxNodesPerPool: 1000, maxCreate: 200, orphans: 'report', historyLimit: 20, applyConcurrency: 8 },
    poolDocuments,
    ...over,
  };
  return { ...d, digest: over.digest ?? digestOf({ pools: d.pools.map((p) => ({ ...p, source: undefined })) }) };
}

export function node(poolName: string, ordinal: number, over: Partial<ObservedNode> = {}): ObservedNode {
  return {
    name: `${poolName}-${ordinal}`,
    pool: poolName,
    ordinal,
    provider: 'local',
    region: 'local-1',
    zone: 'local-1a',
    instanceType: 'f1.8xh100',
    instanceId: over.instanceId ?? `fake-${poolName}-${ordinal}`,
    spot: false,
    state: 'running',
    labels: {},
    health: 'unknown',
    healthReason: undefined,
    cordoned: false,
    since: undefined,
    launchedAt: undefined,
    ...over,
  };
}

export function observed(nodes: ObservedNode[], over: Partial<ObservedFleet> = {}): ObservedFleet {
  return { nodes, pools: {}, gaps: [], ...over };
}
