/** Fleet cost before and after a plan, USD per hour, spot and on-demand kept apart. Pure. */
import type { Action, CostSummary, ObservedNode } from '../model/index.js';

/** Rounds away binary floating-point noise (0.1 + 0.2) without hiding real cents. */
export function money(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

interface Tally {
  onDemand: number;
  spot: number;
  unpriced: number;
}

function add(t: Tally, spot: boolean, price: number | undefined, sign: 1 | -1): void {
  if (price === undefined) {
    if (sign > 0) t.unpriced += 1;
    return;
  }
  if (spot) t.spot += sign * price;
  else t.onDemand += sign * price;
}

/** Cost of the observed fleet and of the fleet once `actions` are applied (new nodes priced at their first placement). */
export function costSummary(
  nodes: ObservedNode[],
  actions: Action[],
  priceOf: (n: ObservedNode) => number | undefined,
): CostSummary {
  const before: Tally = { onDemand: 0, spot: 0, unpriced: 0 };
  for (const n of nodes) add(before, n.spot, priceOf(n), 1);
  const after: Tally = { ...before };
  for (const a of actions) {
    if (a.kind === 'destroy' || a.kind === 'replace') {
      if (a.existing) add(after, a.existing.spot, a.existing.pricePerHour, -1);
    }
    if (a.kind === 'create' || a.kind === 'replace') {
      const p = a.placements[0];
      if (p) add(after, p.spot, p.pricePerHour, 1);
    }
  }
  const b = before.onDemand + before.spot;
  const f = after.onDemand + after.spot;
  return {
    before: money(b),
    after: money(f),
    delta: money(f - b),
    onDemand: { before: money(before.onDemand), after: money(after.onDemand) },
    spot: { before: money(before.spot), after: money(after.spot) },
    unpriced: after.unpriced,
  };
}
