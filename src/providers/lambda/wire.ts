/**
 * Lambda Cloud API shapes (https://cloud.lambda.ai/api/v1, OpenAPI "Lambda Cloud API"), as far as
 * navarch reads or writes them. Success bodies are `{data: ...}`, failures `{error: {code, message,
 * suggestion?}}`. Responses are checked where navarch depends on a field and tolerated otherwise.
 */
import { isRecord } from '../../model/index.js';

/** A region as the API reports it. */
export interface WireRegion {
  name: string;
  description?: string;
}

/** `{key, value}`: how the API carries instance tags (launch request and instance). */
export interface WireTag {
  key: string;
  value: string;
}

/** The documented instance statuses; others are tolerated and read as booting. */
export type WireStatus = 'booting' | 'active' | 'unhealthy' | 'terminating' | 'terminated';

/** An element of `GET /instances`. */
export interface WireInstance {
  id: string;
  name?: string | null;
  ip?: string | null;
  private_ip?: string | null;
  status: string;
  region?: WireRegion;
  instance_type?: { name: string };
  /** Present where the API supports instance tags; absent on older API versions. */
  tags?: WireTag[] | null;
}

/** `POST /instance-operations/launch` body. */
export interface WireLaunchRequest {
  region_name: string;
  instance_type_name: string;
  ssh_key_names: string[];
  file_system_names: string[];
  quantity: number;
  name: string;
  tags: WireTag[];
  user_data?: string;
}

/** An entry of `GET /instance-types` (a map keyed by type name). */
export interface WireInstanceTypeEntry {
  instance_type: { name: string; price_cents_per_hour?: number };
  regions_with_capacity_available: WireRegion[];
}

/** The error document of every failed call. */
export interface WireError {
  code: string;
  message: string;
  suggestion?: string | null;
}


/** The `error` member of a failure body, when it has the documented shape. */
export function readError(body: unknown): WireError | undefined {
  const err = isRecord(body) ? body['error'] : undefined;
  if (!isRecord(err) || typeof err['code'] !== 'string') return undefined;
  const suggestion = err['suggestion'];
  return {
    code: err['code'],
    message: typeof err['message'] === 'string' ? err['message'] : '',
    ...(typeof suggestion === 'string' ? { suggestion } : {}),
  };
}

/** The `data` member of a success body, or undefined. */
export function readData(body: unknown): unknown {
  return isRecord(body) ? body['data'] : undefined;
}

/** Instances of a `GET /instances` body; entries without an id or status are skipped. */
export function readInstances(data: unknown): WireInstance[] {
  if (!Array.isArray(data)) return [];
  return data.filter((i): i is WireInstance => isRecord(i) && typeof i['id'] === 'string' && typeof i['status'] === 'string');
}

/** Instance types of a `GET /instance-types` body. */
export function readInstanceTypes(data: unknown): Map<string, WireInstanceTypeEntry> {
  const out = new Map<string, WireInstanceTypeEntry>();
  if (!isRecord(data)) return out;
  for (const [name, entry] of Object.entries(data)) {
    if (!isRecord(entry)) continue;
    const regions = Array.isArray(entry['regions_with_capacity_available']) ? entry['regions_with_capacity_available'] : [];
    out.set(name, {
      instance_type: { name },
      regions_with_capacity_available: regions.filter((r): r is WireRegion => isRecord(r) && typeof r['name'] === 'string'),
    });
  }
  return out;
}

/** The ids of a launch response. */
export function readLaunchedIds(data: unknown): string[] {
  const ids = isRecord(data) ? data['instance_ids'] : undefined;
  return Array.isArray(ids) ? ids.filter((i): i is string => typeof i === 'string') : [];
}
