/**
 * Live availability for the planner: the providers a pool uses that report it (`offers()`) are
 * asked which offerings have no capacity now, and the plan tries those last. Availability only
 * orders placements, so a provider that cannot answer is skipped with a warning, never fatal.
 */
import type { Logger } from '../log/index.js';
import type { DesiredFleet } from '../model/index.js';
import { unavailableFromOffers, type UnavailableOffering } from '../plan/index.js';
import type { Provider } from '../providers/index.js';

/** Offerings without live capacity, from every provider a pool uses that reports availability. */
export async function liveUnavailable(
  desired: DesiredFleet,
  providers: ReadonlyMap<string, Provider>,
  logger: Logger,
  signal?: AbortSignal,
): Promise<UnavailableOffering[]> {
  const used = [...new Set(desired.pools.flatMap((p) => p.candidates.map((c) => c.provider)))].sort();
  const answers = await Promise.all(
    used.map(async (name) => {
      const provider = providers.get(name);
      if (!provider?.offers) return [];
      try {
        return unavailableFromOffers(await provider.offers(signal));
      } catch (err) {
        logger.warn({ provider: name, error: err instanceof Error ? err.message : String(err) }, 'live availability not known; planning without it');
        return [];
      }
    }),
  );
  return answers.flat();
}
