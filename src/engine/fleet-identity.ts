/**
 * The status file names the fleet it records. A configuration that names another one (a renamed
 * or removed `fleet:`, a moved directory the name defaulted from) would plan a second, empty fleet
 * beside the running one, whose nodes nobody would manage any more: refused before planning.
 */
import { NavarchError, type DesiredFleet, type FleetStatus } from '../model/index.js';

/** Throws `fleet.mismatch` when the status recorded another fleet than the configuration names. */
export function checkFleetIdentity(desired: DesiredFleet, status: FleetStatus | undefined): void {
  if (!status || status.fleet === desired.fleet) return;
  const recorded = status.fleet;
  const nodes = status.nodes.length;
  const named = desired.fleetFromRoot
    ? `navarch.yaml names no \`fleet:\`, so the fleet would be "${desired.fleet}", named after ${desired.root}`
    : `navarch.yaml names fleet "${desired.fleet}"`;
  throw new NavarchError(
    'fleet.mismatch',
    `${named}, but ${desired.statusFile} records fleet "${recorded}"${nodes > 0 ? ` with ${nodes} node${nodes === 1 ? '' : 's'}` : ''}: ` +
      `planning "${desired.fleet}" would leave the nodes of "${recorded}" running, unmanaged, and start a second fleet beside them. Nothing was changed. ` +
      `To keep managing "${recorded}", set \`fleet: ${recorded}\` in navarch.yaml. ` +
      `To rename it on purpose, first remove its pools and apply as "${recorded}" (its nodes are destroyed), then delete ${desired.statusFile} and apply as "${desired.fleet}".`,
    { details: { configured: desired.fleet, recorded, statusFile: desired.statusFile } },
  );
}
