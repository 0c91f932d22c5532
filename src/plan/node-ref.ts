import type { NodeRef, ObservedNode } from '../model/index.js';

/** The part of an observed node an action carries. */
export function toNodeRef(n: ObservedNode, pricePerHour: number | undefined): NodeRef {
  return {
    name: n.name,
    pool: n.pool,
    provider: n.provider,
    region: n.region,
    zone: n.zone,
    instanceType: n.instanceType,
    instanceId: n.instanceId,
    spot: n.spot,
    pricePerHour,
  };
}
