/**
 * EC2's XML documents: responses in the `http://ec2.amazonaws.com/doc/2016-11-15/` namespace with
 * lists as `<xxxSet><item>...</item></xxxSet>`, and errors as
 * `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
 */
import type { Ec2Instance } from './state.js';

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** EC2 instance state codes. */
export const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<name>text</name>`, or nothing for undefined. */
export function el(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${name}>${esc(String(value))}</${name}>`;
}

/** A whole response document for `action`. */
export function responseDocument(action: string, requestId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${el('requestId', requestId)}${body}</${action}Response>`;
}

/** An error document. */
export function errorDocument(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>${el('RequestID', requestId)}</Response>`;
}

export function stateXml(tag: string, state: string): string {
  return `<${tag}>${el('code', STATE_CODES[state] ?? 0)}${el('name', state)}</${tag}>`;
}

/** One instance as it appears in `instancesSet`. */
export function instanceXml(i: Ec2Instance): string {
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `<item>${el('key', k)}${el('value', v)}</item>`)
    .join('');
  const groups = i.securityGroups.map((g) => `<item>${el('groupId', g)}${el('groupName', `group-${g}`)}</item>`).join('');
  return [
    '<item>',
    el('instanceId', i.id),
    el('imageId', i.imageId),
    stateXml('instanceState', i.state),
    el('privateDnsName', `ip-${i.privateIp.replace(/\./g, '-')}.ec2.internal`),
    '<dnsName/>',
    '<reason/>',
    el('keyName', i.keyName),
    el('amiLaunchIndex', 0),
    '<productCodes/>',
    el('instanceType', i.instanceType),
    el('launchTime', i.launchTime),
    `<placement>${el('availabilityZone', i.zone)}<groupName/>${el('tenancy', 'default')}</placement>`,
    `<monitoring>${el('state', 'disabled')}</monitoring>`,
    el('subnetId', i.subnetId),
    el('vpcId', i.subnetId ? 'vpc-0f00d' : undefined),
    el('privateIpAddress', i.privateIp),
    el('ipAddress', i.state === 'running' ? i.publicIp : undefined),
    `<groupSet>${groups}</groupSet>`,
    el('architecture', 'x86_64'),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', '/dev/xvda'),
    el('instanceLifecycle', i.spot ? 'spot' : undefined),
    el('spotInstanceRequestId', i.spot ? `sir-${i.id.slice(2, 10)}` : undefined),
    el('virtualizationType', 'hvm'),
    el('clientToken', i.clientToken),
    `<tagSet>${tags}</tagSet>`,
    i.iamInstanceProfile ? `<iamInstanceProfile>${el('arn', i.iamInstanceProfile)}${el('id', 'AIPAEXAMPLE')}</iamInstanceProfile>` : '',
    el('hypervisor', 'xen'),
    '</item>',
  ].join('');
}

/** Instances grouped into reservations, as DescribeInstances and RunInstances return them. */
export function reservationXml(reservationId: string, ownerId: string, instances: Ec2Instance[]): string {
  return `${el('reservationId', reservationId)}${el('ownerId', ownerId)}<groupSet/><instancesSet>${instances.map(instanceXml).join('')}</instancesSet>`;
}
