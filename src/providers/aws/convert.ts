/** EC2's view of an instance translated to navarch's, and navarch's tags translated to EC2's. */
import type { Instance as Ec2Instance, Tag } from '@aws-sdk/client-ec2';
import type { Instance, InstanceState } from '../../model/index.js';

/**
 * Names the tags an instance got from the provider settings (`tags:` in navarch.yaml, and the
 * `Name` tag navarch adds) rather than from its pool's labels. They are infrastructure tags: left
 * out of `Instance.tags` so they never read as pool labels (which would show as drift in every
 * plan) and kept when labels are replaced.
 */
export const PROVIDER_TAGS_KEY = 'navarch-provider-tags';
/** EC2 tag values are at most 256 characters. */
export const MAX_TAG_VALUE = 256;

/**
 * EC2 instance states (code: name) → navarch states:
 * 0 pending → pending, 16 running → running, 64 stopping → stopping,
 * 80 stopped → failed (navarch never stops instances: one that is stopped does no work and is replaced),
 * 32 shutting-down and 48 terminated → terminated (going or gone; `list` leaves them out).
 */
export function toInstanceState(name: string | undefined): InstanceState {
  switch (name) {
    case 'pending':
      return 'pending';
    case 'running':
      return 'running';
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'failed';
    case 'shutting-down':
    case 'terminated':
      return 'terminated';
    default:
      // A state EC2 may add later: report it as failed so a plan replaces the node rather than trusting it.
      return 'failed';
  }
}

/** EC2 state names `list` asks for: every state of an instance that exists and is not going away. */
export const LIVE_STATE_NAMES = ['pending', 'running', 'stopping', 'stopped'];

/** Tag list → map, without the tags AWS manages (`aws:*`) or the provider-settings tags. */
export function tagsOf(tagList: Tag[] | undefined): Record<string, string> {
  const all: Record<string, string> = {};
  for (const t of tagList ?? []) if (t.Key !== undefined) all[t.Key] = t.Value ?? '';
  const infra = new Set(splitKeys(all[PROVIDER_TAGS_KEY]));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k.toLowerCase().startsWith('aws:') || k === PROVIDER_TAGS_KEY || infra.has(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The keys listed in a provider-tags marker value. */
export function splitKeys(value: string | undefined): string[] {
  return value ? value.split(',').filter((k) => k !== '') : [];
}

/** Map → EC2 tag list, sorted by key so requests are stable. */
export function toTagList(tags: Record<string, string>): Tag[] {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] ?? '' }));
}

/**
 * Every tag an instance is launched with: the provider's infrastructure tags, a `Name` for the
 * console, then the request's tags (navarch's and the pool's labels), which win on a shared key.
 * The marker names the infrastructure keys that remained.
 */
export function launchTags(providerTags: Record<string, string>, requestTags: Record<string, string>, nodeName: string): Record<string, string> {
  const infra: Record<string, string> = { Name: nodeName, ...providerTags };
  for (const k of Object.keys(requestTags)) delete infra[k];
  const keys = Object.keys(infra).sort();
  return { ...infra, ...requestTags, [PROVIDER_TAGS_KEY]: keys.join(',') };
}

/** Converts an EC2 instance of `region`. `requestedTags` fills in tags a launch reply may omit. */
export function toInstance(providerName: string, region: string, raw: Ec2Instance, requestedTags?: Record<string, string>): Instance {
  const tags = { ...(requestedTags ? tagsOf(toTagList(requestedTags)) : {}), ...tagsOf(raw.Tags) };
  return {
    id: raw.InstanceId ?? '',
    provider: providerName,
    region,
    zone: raw.Placement?.AvailabilityZone,
    instanceType: String(raw.InstanceType ?? ''),
    spot: raw.InstanceLifecycle === 'spot',
    state: toInstanceState(raw.State?.Name),
    tags,
    launchedAt: raw.LaunchTime ? raw.LaunchTime.toISOString() : undefined,
    privateIp: raw.PrivateIpAddress,
    publicIp: raw.PublicIpAddress,
  };
}
