/**
 * `navarch gpus --available`: live capacity from the clouds a config repository uses. Every
 * provider declared in navarch.yaml that reports availability (`Provider.offers()`) is asked; the
 * listing keeps the types and regions with capacity now, priced by the catalog.
 */
import { lookupInstanceType, type OfferedRegion } from '../catalog/index.js';
import { loadWorkspaceDesired } from '../engine/index.js';
import { NavarchError, type Offer, type ProviderType } from '../model/index.js';
import { createProvider } from '../providers/index.js';
import type { CliContext } from './context.js';
import { cliLogger, resolveDir } from './shared.js';

/** One provider asked for availability, and how it went. */
export interface AskedProvider {
  name: string;
  type: ProviderType;
  /** Offers with capacity now; undefined when the provider could not answer. */
  available: number | undefined;
  error: string | undefined;
}

/** An offered type the catalog does not know (no shape or price to show). */
export interface Uncatalogued {
  provider: ProviderType;
  instanceType: string;
  regions: string[];
}

/** What the clouds said: the offers with capacity now, and how each provider answered. */
export interface LiveOffers {
  offers: OfferedRegion[];
  asked: AskedProvider[];
  uncatalogued: Uncatalogued[];
  /** ISO time the clouds were asked (the injected clock's now). */
  checkedAt: string;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Asks the providers of the repository at `dir` (narrowed to `types` when given) what has capacity now. */
export async function liveOffers(ctx: CliContext, dir: string, types: readonly ProviderType[]): Promise<LiveOffers> {
  const root = resolveDir(ctx, dir);
  const desired = await loadWorkspaceDesired({ source: root });
  const configs = Object.values(desired.providers)
    .filter((c) => types.length === 0 || types.includes(c.type))
    .sort((a, b) => a.name.localeCompare(b.name));
  const declared = Object.values(desired.providers).map((c) => `${c.name} (${c.type})`).join(', ') || 'none';
  if (configs.length === 0) {
    throw new NavarchError('gpus.no-provider', `no provider of type ${types.join(', ')} is declared in ${dir}/navarch.yaml (declared: ${declared})`);
  }
  const logger = cliLogger(ctx);
  const asked: AskedProvider[] = [];
  const found: Offer[] = [];
  for (const config of configs) {
    try {
      const provider = await createProvider(config, { root: desired.root, clock: ctx.clock, logger, env: ctx.env });
      if (!provider.offers) continue;
      const available = (await provider.offers()).filter((o) => o.available);
      found.push(...available.map((o) => ({ ...o, provider: config.type })));
      asked.push({ name: config.name, type: config.type, available: available.length, error: undefined });
    } catch (err) {
      asked.push({ name: config.name, type: config.type, available: undefined, error: message(err) });
    }
  }
  if (asked.length === 0) {
    throw new NavarchError(
      'gpus.no-availability',
      `none of the providers declared in ${dir}/navarch.yaml reports live availability (declared: ${declared}); Lambda Cloud and the embedded fake cloud do`,
    );
  }
  if (asked.every((a) => a.error !== undefined)) {
    const why = asked.map((a) => `${a.name}: ${a.error ?? ''}`).join('; ');
    throw new NavarchError('gpus.availability-failed', `could not get live availability (${why})`);
  }
  return {
    offers: found.map((o) => ({ provider: o.provider as ProviderType, instanceType: o.instanceType, region: o.region, pricePerHour: o.pricePerHour })),
    asked,
    uncatalogued: uncatalogued(found),
    checkedAt: new Date(ctx.clock.now()).toISOString(),
  };
}

function uncatalogued(offers: readonly Offer[]): Uncatalogued[] {
  const byType = new Map<string, Uncatalogued>();
  for (const o of offers) {
    const type = o.provider as ProviderType;
    if (lookupInstanceType(type, o.instanceType)) continue;
    const key = `${type}/${o.instanceType}`;
    const entry = byType.get(key) ?? { provider: type, instanceType: o.instanceType, regions: [] };
    if (!entry.regions.includes(o.region)) entry.regions.push(o.region);
    byType.set(key, entry);
  }
  return [...byType.values()]
    .map((u) => ({ ...u, regions: [...u.regions].sort() }))
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.instanceType.localeCompare(b.instanceType));
}
