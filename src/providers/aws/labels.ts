/**
 * Replacing a node's pool labels in place: CreateTags for the new set, DeleteTags for labels that
 * went away. navarch's own tags, AWS's `aws:*` tags and the provider's infrastructure tags stay.
 */
import { CreateTagsCommand, DeleteTagsCommand, DescribeInstancesCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { ProviderError } from '../../model/index.js';
import { callOptions } from './client.js';
import { PROVIDER_TAGS_KEY, splitKeys, toTagList } from './convert.js';
import { isAbort, toProviderError } from './errors.js';

/** What to write and delete so an instance's labels become `labels`. */
export function labelChanges(
  current: Record<string, string>,
  labels: Record<string, string>,
): { create: Record<string, string>; remove: string[] } {
  const wanted = Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('navarch-') && !k.toLowerCase().startsWith('aws:')));
  const infra = splitKeys(current[PROVIDER_TAGS_KEY]);
  // A label that takes over an infrastructure tag's key is a label from now on.
  const keptInfra = infra.filter((k) => !(k in wanted));
  const create: Record<string, string> = { ...wanted };
  if (keptInfra.length !== infra.length) create[PROVIDER_TAGS_KEY] = keptInfra.join(',');
  const own = (k: string): boolean => k.startsWith('navarch-') || k.toLowerCase().startsWith('aws:') || keptInfra.includes(k);
  const remove = Object.keys(current)
    .filter((k) => !own(k) && !(k in wanted))
    .sort();
  for (const [k, v] of Object.entries(wanted)) if (current[k] === v) delete create[k];
  return { create, remove };
}

function tagsOfRaw(list: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** Replaces the pool labels of one instance of `region`. */
export async function replaceLabels(
  client: EC2Client,
  provider: string,
  region: string,
  instanceId: string,
  labels: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const call = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      throw toProviderError(err, provider, action, region);
    }
  };
  const described = await call('DescribeInstances', () =>
    client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), callOptions(signal)),
  );
  const raw = described.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!raw || raw.State?.Name === 'terminated' || raw.State?.Name === 'shutting-down') {
    throw new ProviderError('not-found', provider, `instance ${instanceId} does not exist in ${region}`, {
      providerCode: 'InvalidInstanceID.NotFound',
      location: region,
    });
  }
  const { create, remove } = labelChanges(tagsOfRaw(raw.Tags), labels);
  if (Object.keys(create).length > 0) {
    await call('CreateTags', () =>
      client.send(new CreateTagsCommand({ Resources: [instanceId], Tags: toTagList(create) }), callOptions(signal)),
    );
  }
  if (remove.length > 0) {
    await call('DeleteTags', () =>
      client.send(new DeleteTagsCommand({ Resources: [instanceId], Tags: remove.map((Key) => ({ Key })) }), callOptions(signal)),
    );
  }
}
