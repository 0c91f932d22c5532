/**
 * Expanding a pool into its placement candidates: every provider entry × region × instance type
 * the pool accepts, priced from the catalog, filtered by `max_price`, in a deterministic order.
 */
import {
  instanceTypes,
  knownGpus,
  lookupInstanceType,
  priceOf,
  regionsOf,
  resolveGpu,
  zonesOf,
  type InstanceTypeInfo,
} from '../catalog/index.js';
import type { Diagnostic, PlacementCandidate, ProviderConfig } from '../model/index.js';
import { int, isRecord, num, str, strList } from './read.js';
import type { Scope } from './scope.js';
import type { Segments } from './yaml-file.js';
import { didYouMean, quoteList } from './suggest.js';

/** A value together with where it was written, so a problem with it points at it. */
export interface Located<T> {
  value: T;
  scope: Scope;
  at: Segments;
}

/** What candidate expansion needs besides the pool itself. */
export interface CandidateContext {
  providers: ReadonlyMap<string, ProviderConfig>;
  defaultRegion: Located<string> | undefined;
  defaultSpot: boolean | undefined;
  report(d: Diagnostic): void;
}

/** One entry of `providers:` (or the single `provider:`), with where each field was written. */
interface Entry {
  name: Located<string>;
  priority: number;
  regions: Array<Located<string>> | undefined;
  zones: Array<Located<string>> | undefined;
  instanceType: Located<string> | undefined;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

function listAt(scope: Scope, base: Segments, values: string[] | undefined): Array<Located<string>> | undefined {
  return values?.map((value, i) => ({ value, scope, at: [...base, i] }));
}

function entriesOf(doc: Record<string, unknown>, scope: Scope): Entry[] {
  const poolType = str(doc, 'instance_type');
  const poolTypeAt: Located<string> | undefined = poolType === undefined ? undefined : { value: poolType, scope, at: ['instance_type'] };
  const poolZones = listAt(scope, ['zones'], strList(doc, 'zones'));
  const poolRegion = str(doc, 'region');
  const poolRegions = poolRegion === undefined ? undefined : [{ value: poolRegion, scope, at: ['region'] }];
  const single = str(doc, 'provider');
  if (single !== undefined) {
    return [{ name: { value: single, scope, at: ['provider'] }, priority: 1, regions: poolRegions, zones: poolZones, instanceType: poolTypeAt }];
  }
  const list = Array.isArray(doc['providers']) ? (doc['providers'] as unknown[]) : [];
  const out: Entry[] = [];
  list.forEach((raw, i) => {
    if (!isRecord(raw)) return;
    const name = str(raw, 'name');
    if (name === undefined) return;
    const base = ['providers', i];
    const it = str(raw, 'instance_type');
    out.push({
      name: { value: name, scope, at: [...base, 'name'] },
      priority: int(raw, 'priority') ?? i + 1,
      regions: listAt(scope, [...base, 'regions'], strList(raw, 'regions')) ?? poolRegions,
      zones: listAt(scope, [...base, 'zones'], strList(raw, 'zones')) ?? poolZones,
      instanceType: it === undefined ? poolTypeAt : { value: it, scope, at: [...base, 'instance_type'] },
    });
  });
  return out;
}

/** Zones of `region` among `listed`, by the catalog when it knows the region's zones, else by name prefix. */
function zonesIn(listed: string[], provider: ProviderConfig, info: InstanceTypeInfo | undefined, region: string): string[] {
  const known = info ? zonesOf(provider.type, info.instanceType, region) : [];
  return listed.filter((z) => (known.length ? known.includes(z) : z.startsWith(region)));
}

function compareCandidates(a: PlacementCandidate, b: PlacementCandidate): number {
  return (
    a.priority - b.priority ||
    (a.pricePerHour ?? Infinity) - (b.pricePerHour ?? Infinity) ||
    a.provider.localeCompare(b.provider) ||
    a.region.localeCompare(b.region) ||
    a.instanceType.localeCompare(b.instanceType)
  );
}

/** An accepted instance type; `info` is absent when the catalog has no data for the cloud. */
interface TypeChoice {
  name: string;
  info: InstanceTypeInfo | undefined;
}

/** A region × instance type an entry may use, before zones and prices. */
interface Placement extends TypeChoice {
  region: string;
}

const choice = (info: InstanceTypeInfo): TypeChoice => ({ name: info.instanceType, info });

/** The instance types one entry accepts, or undefined after reporting why there are none. */
function typesOf(entry: Entry, provider: ProviderConfig, doc: Record<string, unknown>, scope: Scope, gpu: string | undefined, ctx: CandidateContext): TypeChoice[] | undefined {
  const type = provider.type;
  const offered = instanceTypes(type);
  const gpusDeclared = int(doc, 'gpus');
  const it = entry.instanceType;
  if (it) {
    const info = lookupInstanceType(type, it.value);
    if (!info) {
      if (offered.length === 0) return [{ name: it.value, info: undefined }]; // no catalog data for this cloud: trust the user
      const names = offered.map((t) => t.instanceType);
      ctx.report(it.scope.diag(it.at, `unknown ${type} instance type \`${it.value}\`${didYouMean(it.value, names) || ` (known: ${quoteList(names)})`}`));
      return undefined;
    }
    if (gpu !== undefined && info.gpu !== gpu && info.gpuFamily !== gpu) {
      ctx.report(it.scope.diag(it.at, `instance type \`${info.instanceType}\` has ${info.gpu} GPUs, but the pool asks for \`gpu: ${gpu}\``));
      return undefined;
    }
    if (gpusDeclared !== undefined && info.gpus !== gpusDeclared) {
      ctx.report(it.scope.diag(it.at, `instance type \`${info.instanceType}\` has ${info.gpus} GPUs per node, but the pool asks for \`gpus: ${gpusDeclared}\``));
      return undefined;
    }
    return [choice(info)];
  }
  if (gpu === undefined) return undefined;
  const gpus = gpusDeclared ?? 1;
  const found = resolveGpu(type, gpu, gpus);
  if (found.length) return found.map(choice);
  const counts = [...new Set(offered.filter((t) => t.gpu === gpu || t.gpuFamily === gpu).map((t) => t.gpus))].sort((a, b) => a - b);
  const message =
    offered.length === 0
      ? `the catalog has no ${type} instance types to match \`gpu: ${gpu}\`; set \`instance_type\` for provider \`${provider.name}\``
      : counts.length
        ? `no ${type} instance type has ${gpus} × ${gpu}; offered: ${counts.join(', ')}`
        : `no ${type} instance type has ${gpu} GPUs`;
  ctx.report(scope.diag(gpusDeclared === undefined ? ['gpu'] : ['gpus'], message));
  return undefined;
}

/** Region × type pairs of one entry: the written regions that offer a type, else the catalog's. */
function placementsOf(entry: Entry, provider: ProviderConfig, types: TypeChoice[], scope: Scope, ctx: CandidateContext): Placement[] {
  const placed: Placement[] = [];
  const allowed = strList(provider.settings, 'regions');
  const written = entry.regions ?? (ctx.defaultRegion ? [ctx.defaultRegion] : undefined);
  if (written) {
    for (const region of written) {
      if (allowed?.length && !allowed.includes(region.value)) {
        ctx.report(region.scope.diag(region.at, `region \`${region.value}\` is not among the \`regions\` of provider \`${provider.name}\` (${quoteList(allowed)})`));
        continue;
      }
      const offering = types.filter((t) => !t.info || regionsOf(provider.type, t.name).includes(region.value));
      if (offering.length === 0) {
        const offered = [...new Set(types.flatMap((t) => regionsOf(provider.type, t.name)))];
        const names = types.map((t) => t.name);
        const what = names.length === 1 ? `\`${names[0] ?? ''}\` is` : `none of ${quoteList(names)} is`;
        const forPool = region.scope === scope ? '' : ` (the default region, used by ${scope.pointer()})`;
        const hint = didYouMean(region.value, offered) || ` (offered: ${quoteList(offered)})`;
        ctx.report(region.scope.diag(region.at, `${what} not offered in region \`${region.value}\`${hint}${forPool}`));
        continue;
      }
      for (const t of offering) placed.push({ region: region.value, ...t });
    }
    return placed;
  }
  for (const t of types) {
    // Without catalog data for the type, the provider's own `regions` are all there is to go on.
    let regions = t.info ? regionsOf(provider.type, t.name) : (allowed ?? []);
    if (allowed?.length) regions = regions.filter((r) => allowed.includes(r));
    if (regions.length === 0) {
      const where = t.info ? `\`${t.name}\` is offered in none of provider \`${provider.name}\`'s regions` : `the catalog knows no regions of ${provider.type} \`${t.name}\``;
      ctx.report(entry.name.scope.diag(entry.name.at, `${where}; set \`region\``));
      continue;
    }
    for (const region of regions) placed.push({ region, ...t });
  }
  return placed;
}

/**
 * Every placement of a pool, ordered by priority, then price (unknown last), then provider,
 * region and type names. Reports each problem it meets and returns what is left.
 */
export function expandCandidates(doc: Record<string, unknown>, scope: Scope, ctx: CandidateContext): PlacementCandidate[] {
  const rawGpu = str(doc, 'gpu');
  let gpu = rawGpu?.toLowerCase();
  if (gpu !== undefined && !knownGpus().includes(gpu)) {
    const known = knownGpus();
    ctx.report(scope.diag(['gpu'], `unknown GPU \`${rawGpu ?? ''}\`${didYouMean(gpu, known) || ` (known: ${quoteList(known)})`}`));
    gpu = undefined;
    if (str(doc, 'instance_type') === undefined) return [];
  }
  const spot = typeof doc['spot'] === 'boolean' ? doc['spot'] : ctx.defaultSpot ?? false;
  const seen = new Set<string>();
  const all: PlacementCandidate[] = [];
  for (const entry of entriesOf(doc, scope)) {
    const provider = ctx.providers.get(entry.name.value);
    if (!provider) {
      const defined = [...ctx.providers.keys()];
      const hint = didYouMean(entry.name.value, defined) || (defined.length ? ` (defined: ${quoteList(defined)})` : '; navarch.yaml defines no providers');
      ctx.report(entry.name.scope.diag(entry.name.at, `unknown provider \`${entry.name.value}\`${hint}`));
      continue;
    }
    if (spot && provider.type === 'lambda') {
      ctx.report(scope.diag(typeof doc['spot'] === 'boolean' ? ['spot'] : entry.name.at, `provider \`${provider.name}\` (lambda) offers no spot instances`));
      continue;
    }
    const types = typesOf(entry, provider, doc, scope, gpu, ctx);
    if (!types) continue;
    const placed = placementsOf(entry, provider, types, scope, ctx);
    const usedZones = new Set<string>();
    for (const p of placed) {
      const listed = entry.zones?.map((z) => z.value);
      const zones = listed ? zonesIn(listed, provider, p.info, p.region) : [];
      if (listed && zones.length === 0) continue; // the listed zones restrict the pool to their regions
      zones.forEach((z) => usedZones.add(z));
      const key = `${provider.name}/${p.region}/${p.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push({
        provider: provider.name,
        providerType: provider.type,
        region: p.region,
        zones,
        instanceType: p.name,
        priority: entry.priority,
        spot,
        pricePerHour: priceOf(provider.type, p.name, p.region, spot),
      });
    }
    for (const z of entry.zones ?? []) {
      if (usedZones.has(z.value) || placed.length === 0) continue;
      const regions = [...new Set(placed.map((p) => p.region))];
      ctx.report(z.scope.diag(z.at, `zone \`${z.value}\` is not in ${regions.length === 1 ? 'region' : 'any of the regions'} ${quoteList(regions)} of provider \`${provider.name}\``));
    }
  }
  return withinPrice(all.sort(compareCandidates), doc, scope, ctx);
}

/** Drops candidates priced above `max_price` per GPU-hour; unknown prices stay. */
function withinPrice(candidates: PlacementCandidate[], doc: Record<string, unknown>, scope: Scope, ctx: CandidateContext): PlacementCandidate[] {
  const maxPrice = num(doc, 'max_price');
  if (maxPrice === undefined || candidates.length === 0) return candidates;
  const perGpu = (c: PlacementCandidate): number | undefined => {
    const gpus = lookupInstanceType(c.providerType, c.instanceType)?.gpus;
    return c.pricePerHour === undefined || !gpus ? undefined : c.pricePerHour / gpus;
  };
  const kept = candidates.filter((c) => {
    const p = perGpu(c);
    return p === undefined || p <= maxPrice + 1e-9;
  });
  if (kept.length === 0) {
    const cheapest = [...candidates].sort((a, b) => (perGpu(a) ?? Infinity) - (perGpu(b) ?? Infinity))[0];
    const detail = cheapest ? `; the cheapest is \`${cheapest.instanceType}\` in ${cheapest.region} at ${usd(perGpu(cheapest) ?? 0)} per GPU-hour${cheapest.spot ? ' (spot)' : ''}` : '';
    ctx.report(scope.diag(['max_price'], `no placement of this pool costs at most ${usd(maxPrice)} per GPU-hour${detail}`));
  }
  return kept;
}
