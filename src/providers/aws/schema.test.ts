/** The `aws` provider section of navarch.yaml as the schema checks it, and as the provider parses it. */
import { describe, expect, it } from 'vitest';
import { memorySource, validateRepo } from '../../config/index.js';
import { parseAwsSettings } from './settings.js';

async function diagnose(provider: string): Promise<string[]> {
  const text = `fleet: research\nproviders:\n  ec2:\n    type: aws\n${provider}`;
  const { diagnostics } = await validateRepo(memorySource({ 'navarch.yaml': text }, '/repos/research'));
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.path} ${d.message}`);
}

const FULL = [
  '    regions: [us-east-1, us-west-2]',
  '    ami: { us-east-1: ami-0123456789abcdef0, us-west-2: ami-0fedcba987654321f }',
  '    subnets: { us-east-1a: subnet-0abc1234, us-west-2b: subnet-0def5678 }',
  '    security_groups: [sg-0abc1234]',
  '    key_name: gpu-admins',
  '    iam_instance_profile: arn:aws:iam::123456789012:instance-profile/gpu',
  '    endpoint: { us-east-1: "https://vpce-0a.ec2.us-east-1.vpce.amazonaws.com", us-west-2: "https://vpce-0b.ec2.us-west-2.vpce.amazonaws.com" }',
  '    tags: { cost-center: ml-research, owner: platform }',
  '',
].join('\n');

describe('aws provider settings in navarch.yaml', () => {
  it('accepts every setting, per-region maps included', async () => {
    expect(await diagnose(FULL)).toEqual([]);
    expect(await diagnose('    ami: ami-0123456789abcdef0\n    endpoint: "http://127.0.0.1:4566"\n')).toEqual([]);
  });

  it('points at a bad AMI, inside a map too', async () => {
    expect(await diagnose('    ami: ubuntu-22.04\n')).toEqual([expect.stringMatching(/^5:10 \/providers\/ec2\/ami expected .*got `ubuntu-22.04`/)]);
    expect(await diagnose('    ami: { us-east-1: img-1 }\n')).toEqual([expect.stringMatching(/^5:23 \/providers\/ec2\/ami\/us-east-1 expected .*got `img-1`/)]);
  });

  it('points at a bad endpoint', async () => {
    expect(await diagnose('    endpoint: not a url\n')).toEqual(['5:15 /providers/ec2/endpoint expected a URL, got `not a url`']);
  });

  it('refuses tags navarch or AWS own', async () => {
    const [d] = await diagnose('    tags: { "aws:owner": me }\n');
    expect(d).toMatch(/\/providers\/ec2\/tags.*aws:owner/);
  });

  it('refuses credentials, pointing to the AWS credential chain', async () => {
    const [d] = await diagnose('    secret_access_key: abc\n');
    expect(d).toContain('AWS credential chain');
  });
});

describe('schema and parser agree', () => {
  it('parses the settings the schema accepted', () => {
    const s = parseAwsSettings({
      regions: ['us-east-1', 'us-west-2'],
      ami: { 'us-east-1': 'ami-0123456789abcdef0', 'us-west-2': 'ami-0fedcba987654321f' },
      endpoint: { 'us-east-1': 'https://vpce-0a.ec2.us-east-1.vpce.amazonaws.com' },
    });
    expect(Object.keys(s.ami)).toEqual(['us-east-1', 'us-west-2']);
  });
});
