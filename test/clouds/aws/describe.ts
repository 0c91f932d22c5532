/** DescribeInstances (filters, MaxResults/NextToken pagination), TerminateInstances, CreateTags, DeleteTags. */
import { list, str, strings, type QueryTree, type QueryValue } from './query.js';
import type { World } from './run-instances.js';
import { Ec2Fault, type Ec2Instance } from './state.js';
import { el, reservationXml, stateXml } from './xml.js';

const ID = /^i-[0-9a-f]{8,17}$/;

/** EC2 filter values: `*` any run, `?` one character, `\` escapes the next. */
export function wildcardMatch(pattern: string, value: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && i + 1 < pattern.length) re += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(value);
}

function matchesFilter(i: Ec2Instance, name: string, values: string[]): boolean {
  const any = (v: string | undefined): boolean => v !== undefined && values.some((p) => wildcardMatch(p, v));
  if (name.startsWith('tag:')) return any(i.tags[name.slice(4)]);
  switch (name) {
    case 'tag-key':
      return Object.keys(i.tags).some((k) => any(k));
    case 'instance-state-name':
      return any(i.state);
    case 'client-token':
      return any(i.clientToken);
    case 'instance-id':
      return any(i.id);
    case 'instance-type':
      return any(i.instanceType);
    case 'availability-zone':
      return any(i.zone);
    default:
      throw new Ec2Fault('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
}

function checkIds(world: World, region: string, ids: string[]): Ec2Instance[] {
  for (const id of ids) if (!ID.test(id)) throw new Ec2Fault('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  const missing = ids.filter((id) => world.instances.get(id)?.region !== region);
  if (missing.length > 0) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  return ids.map((id) => world.instances.get(id) as Ec2Instance);
}

function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64');
}

function decodeToken(token: string): string {
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown }).after;
    if (typeof after === 'string') return after;
  } catch {
    // fall through to the error below
  }
  throw new Ec2Fault('InvalidParameterValue', `The parameter NextToken is not valid: ${token}`);
}

/** DescribeInstances: instances of `region` matching every filter, a page at a time. */
export function describeInstances(world: World, region: string, tree: QueryTree, pageSize: number, hidden: ReadonlySet<string>): string {
  const ids = strings(tree, 'InstanceId');
  const maxRaw = str(tree, 'MaxResults');
  if (maxRaw !== undefined && ids.length > 0) {
    throw new Ec2Fault('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const max = maxRaw === undefined ? undefined : Number(maxRaw);
  if (max !== undefined && !(Number.isInteger(max) && max >= 5 && max <= 1000)) {
    throw new Ec2Fault('InvalidParameterValue', `Value ( ${maxRaw} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  const filters = list(tree, 'Filter').map((f: QueryValue) => ({ name: str(f, 'Name') ?? '', values: strings(f, 'Value') }));
  const byTag = filters.some((f) => f.name.startsWith('tag:'));
  const pool = ids.length > 0 ? checkIds(world, region, ids) : [...world.instances.values()].filter((i) => i.region === region && !(byTag && hidden.has(i.id)));
  const token = str(tree, 'NextToken');
  const after = token ? decodeToken(token) : undefined;
  const matching = pool
    .filter((i) => filters.every((f) => matchesFilter(i, f.name, f.values)))
    .filter((i) => after === undefined || i.id > after)
    .sort((a, b) => a.id.localeCompare(b.id));
  // The server pages by its own size too: EC2 may return fewer items than MaxResults.
  const size = Math.min(max ?? Number.MAX_SAFE_INTEGER, pageSize);
  const page = ids.length > 0 ? matching : matching.slice(0, size);
  const last = page[page.length - 1];
  const more = page.length < matching.length && last !== undefined;
  const byReservation = new Map<string, Ec2Instance[]>();
  for (const i of page) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
  const reservations = [...byReservation.entries()]
    .map(([rid, insts]) => `<item>${reservationXml(rid, world.account.ownerId, insts)}</item>`)
    .join('');
  return `<reservationSet>${reservations}</reservationSet>${more ? el('nextToken', encodeToken(last.id)) : ''}`;
}

/** TerminateInstances: every id must exist in the region; running ones start shutting down. */
export function terminateInstances(world: World, region: string, tree: QueryTree): string {
  const ids = strings(tree, 'InstanceId');
  if (ids.length === 0) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter InstanceId');
  const items = checkIds(world, region, ids).map((i) => {
    const previous = i.state;
    if (i.state !== 'terminated') i.state = 'shutting-down';
    return `<item>${el('instanceId', i.id)}${stateXml('currentState', i.state)}${stateXml('previousState', previous)}</item>`;
  });
  return `<instancesSet>${items.join('')}</instancesSet>`;
}

/** CreateTags (`ResourceId.N`, `Tag.N.Key/Value`) and DeleteTags (`ResourceId.N`, `Tag.N.Key`). */
export function changeTags(world: World, region: string, tree: QueryTree, remove: boolean): string {
  const insts = checkIds(world, region, strings(tree, 'ResourceId'));
  for (const t of list(tree, 'Tag')) {
    const key = str(t, 'Key');
    if (key === undefined) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter Tag.Key');
    if (key.toLowerCase().startsWith('aws:')) throw new Ec2Fault('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    for (const i of insts) {
      if (remove) delete i.tags[key];
      else i.tags[key] = str(t, 'Value') ?? '';
    }
  }
  return el('return', 'true');
}
