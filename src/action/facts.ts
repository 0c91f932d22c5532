/**
 * Node health from the control plane (`server` input). Plans made without it see what the clouds
 * list and what the status file records; with it, they would also see the health, cordons and
 * drains the control plane knows, as `navarch serve`'s own plans do.
 *
 * This is the seam where those facts enter the action's plans. None are read yet: the control
 * plane's admin API (`GET /v1/nodes`) answers each node's verdict before its circuit breaker
 * decides which verdicts may be acted on, and a plan built on those could replace nodes the
 * breaker is holding back. Once the control plane serves the facts its own planner uses, they are
 * fetched here and passed to the workspace.
 */
import { safeUrl } from '../git/index.js';
import type { NodeFacts } from '../observe/index.js';
import { log } from './report.js';

/** Facts about nodes by name, or undefined when the plan goes without. */
export async function controlPlaneFacts(server: string | undefined): Promise<ReadonlyMap<string, NodeFacts> | undefined> {
  if (server === undefined) return undefined;
  log(`Control plane ${safeUrl(server)} given; this version plans from the clouds' listings and the status file, without the control plane's node health.`);
  return undefined;
}
