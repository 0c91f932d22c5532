/**
 * Node health from the control plane (`server` input). Plans made without it see what the clouds
 * list and what the status file records; with it, they would also see the health, cordons and
 * drains the control plane knows, as `navarch serve` plans do. This is the seam where those facts
 * enter the action's plans; until the control plane's API offers them, none are read.
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
