/**
 * Remembers where capacity recently ran out, so the next create tries elsewhere first
 * (Karpenter keeps such "unavailable offerings" for 3 minutes; we default to 5).
 */
import type { UnavailableOffering } from '../plan/index.js';

export const DEFAULT_CAPACITY_MEMORY_MS = 5 * 60_000;

interface Entry extends UnavailableOffering {
  until: number;
}

export class CapacityMemory {
  private entries: Entry[] = [];
  constructor(private readonly ttlMs = DEFAULT_CAPACITY_MEMORY_MS) {}

  remember(offering: UnavailableOffering, now: number): void {
    this.entries = this.entries.filter((e) => !same(e, offering));
    this.entries.push({ ...offering, until: now + this.ttlMs });
  }

  /** Offerings still considered exhausted at `now`. */
  unavailable(now: number): UnavailableOffering[] {
    this.entries = this.entries.filter((e) => e.until > now);
    return this.entries.map(({ until: _until, ...o }) => o);
  }

  /** Plain data for persisting between one-shot runs. */
  toJSON(): Entry[] {
    return [...this.entries];
  }

  static fromJSON(data: unknown, ttlMs = DEFAULT_CAPACITY_MEMORY_MS): CapacityMemory {
    const m = new CapacityMemory(ttlMs);
    if (Array.isArray(data)) {
      for (const e of data as Entry[]) {
        if (e && typeof e.provider === 'string' && typeof e.until === 'number') m.entries.push(e);
      }
    }
    return m;
  }
}

function same(a: UnavailableOffering, b: UnavailableOffering): boolean {
  return a.provider === b.provider && a.instanceType === b.instanceType && a.region === b.region && a.zone === b.zone;
}
