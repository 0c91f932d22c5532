import { describe, expect, it } from 'vitest';
import { memorySource } from './memory-source.js';
import { validateRepo } from './load.js';

const NAVARCH = 'providers:\n  local:\n    type: fake\n';

async function diagnose(files: Record<string, string>): Promise<string[]> {
  const { desired, diagnostics } = await validateRepo(memorySource(files, '/repos/demo'));
  expect(desired === undefined).toBe(diagnostics.length > 0);
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.path} ${d.message}`);
}

const pool = (text: string): Promise<string[]> => diagnose({ 'navarch.yaml': NAVARCH, 'pools/train.yaml': text });

describe('node counts', () => {
  it('refuses min_nodes above max_nodes, at min_nodes', async () => {
    expect(await pool('provider: local\ngpu: h100\nmin_nodes: 5\nmax_nodes: 2\n')).toEqual([
      'pools/train.yaml:3:12 /pools/train/min_nodes min_nodes (5) is greater than max_nodes (2)',
    ]);
  });

  it('refuses nodes outside [min, max], at nodes', async () => {
    expect(await pool('provider: local\ngpu: h100\nmin_nodes: 1\nmax_nodes: 3\nnodes: 4\n')).toEqual([
      'pools/train.yaml:5:8 /pools/train/nodes nodes (4) is outside [min_nodes, max_nodes] = [1, 3]',
    ]);
    expect(await pool('provider: local\ngpu: h100\nmin_nodes: 2\nnodes: 1\n')).toEqual([
      'pools/train.yaml:4:8 /pools/train/nodes nodes (1) is less than min_nodes (2)',
    ]);
  });
});

describe('providers', () => {
  it('refuses an undefined provider, suggesting the nearest defined one', async () => {
    expect(await pool('provider: locl\ngpu: h100\n')).toEqual([
      'pools/train.yaml:1:11 /pools/train/provider unknown provider `locl`; did you mean `local`?',
    ]);
  });

  it('checks every entry of `providers`, listing the defined ones when none is close', async () => {
    expect(await pool('providers:\n  - name: local\n  - name: gcp-west\ngpu: h100\n')).toEqual([
      'pools/train.yaml:3:11 /pools/train/providers/1/name unknown provider `gcp-west` (defined: `local`)',
    ]);
  });

  it('refuses both `provider` and `providers`, and neither', async () => {
    expect(await pool('provider: local\nproviders: [{name: local}]\ngpu: h100\n')).toEqual([
      'pools/train.yaml:2:1 /pools/train/providers give either `provider` or `providers`, not both',
    ]);
    expect(await pool('# no provider\ngpu: h100\n')).toEqual([
      'pools/train.yaml:2:1 /pools/train missing `provider` (or `providers`): which provider should run this pool?',
    ]);
  });

  it.each([
    ['lambda', 'api_key', 'set LAMBDA_API_KEY in the environment instead, or name a file holding the key with api_key_file'],
    ['gcp', 'credentials_json', 'GCP credentials come from GOOGLE_APPLICATION_CREDENTIALS (a service-account key file) or application default credentials'],
    ['aws', 'secret_access_key', 'AWS credentials come from the AWS credential chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role'],
  ])('refuses a secret under a %s provider, naming where it belongs', async (type, key, hint) => {
    const extra = type === 'gcp' ? '    project: my-project\n' : '';
    const text = `providers:\n  cloud:\n    type: ${type}\n${extra}    ${key}: hunter2\n`;
    const out = await diagnose({ 'navarch.yaml': text });
    const line = type === 'gcp' ? 5 : 4;
    expect(out).toEqual([
      `navarch.yaml:${line}:5 /providers/cloud/${key} \`${key}\` looks like a secret, and secrets are never read from navarch.yaml (it is committed to git); ${hint}`,
    ]);
    expect(out.join('\n')).not.toContain('hunter2');
  });

  it('accepts a file that holds the Lambda key, and the Lambda pacing settings', async () => {
    const text =
      'providers:\n  lam:\n    type: lambda\n    api_key_file: .secrets/lambda-key\n    ssh_key_names: [ops]\n    request_interval: 1s\n    launch_interval: 12s\n';
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([]);
  });

  it('does not mistake tag names for secrets', async () => {
    const text = 'providers:\n  east:\n    type: aws\n    regions: [us-east-1]\n    tags: {token-bucket: x}\n';
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([]);
  });
});

describe('instance types and GPUs', () => {
  it('refuses an instance type the catalog does not know, suggesting the nearest of that provider', async () => {
    expect(await pool('provider: local\ninstance_type: f1.8xh10\n')).toEqual([
      'pools/train.yaml:2:16 /pools/train/instance_type unknown fake instance type `f1.8xh10`; did you mean `f1.8xh100`?',
    ]);
  });

  it('refuses a GPU the catalog does not know', async () => {
    expect(await pool('provider: local\ngpu: h10\n')).toEqual(['pools/train.yaml:2:6 /pools/train/gpu unknown GPU `h10`; did you mean `h100`?']);
    expect(await pool('provider: local\ngpu: tpu-v5\n')).toEqual([
      'pools/train.yaml:2:6 /pools/train/gpu unknown GPU `tpu-v5` (known: `a10`, `a100`, `a100-80gb`, `a10g`, `b200`, `gh200`, `h100`, `h200`, `l4`, `l40s`)',
    ]);
  });

  it('says which GPU counts exist when none has the asked count', async () => {
    expect(await pool('provider: local\ngpu: h100\ngpus: 3\n')).toEqual([
      'pools/train.yaml:3:7 /pools/train/gpus no fake instance type has 3 × h100; offered: 1, 8',
    ]);
  });

  it('refuses an instance type that contradicts gpu or gpus', async () => {
    expect(await pool('provider: local\ninstance_type: f1.8xh100\ngpu: a100\n')).toEqual([
      'pools/train.yaml:2:16 /pools/train/instance_type instance type `f1.8xh100` has h100 GPUs, but the pool asks for `gpu: a100`',
    ]);
    expect(await pool('provider: local\ninstance_type: f1.8xh100\ngpu: h100\ngpus: 4\n')).toEqual([
      'pools/train.yaml:2:16 /pools/train/instance_type instance type `f1.8xh100` has 8 GPUs per node, but the pool asks for `gpus: 4`',
    ]);
  });

  it('refuses a pool with neither instance_type nor gpu', async () => {
    expect(await pool('provider: local\nmin_nodes: 1\n')).toEqual([
      'pools/train.yaml:1:1 /pools/train missing `instance_type` or `gpu`: which machines should this pool run?',
    ]);
  });
});

describe('regions, zones, price', () => {
  it('refuses a region that does not offer the type, wherever the region was written', async () => {
    expect(await pool('provider: local\ninstance_type: f1.8xh100\nregion: local-3\n')).toEqual([
      'pools/train.yaml:3:9 /pools/train/region `f1.8xh100` is not offered in region `local-3`; did you mean `local-1`?',
    ]);
    expect(await pool('providers:\n  - name: local\n    regions: [local-1, eu-west]\ninstance_type: f1.8xh100\n')).toEqual([
      'pools/train.yaml:3:24 /pools/train/providers/0/regions/1 `f1.8xh100` is not offered in region `eu-west` (offered: `local-1`, `local-2`)',
    ]);
    const files = { 'navarch.yaml': `${NAVARCH}defaults:\n  region: eu-west\n`, 'pools/train.yaml': 'provider: local\ngpu: h100\n' };
    expect(await diagnose(files)).toEqual([
      'navarch.yaml:5:11 /defaults/region `f1.1xh100` is not offered in region `eu-west` (offered: `local-1`, `local-2`) (the default region, used by /pools/train)',
    ]);
  });

  it("refuses a region outside the provider's own `regions`", async () => {
    const navarch = 'providers:\n  east:\n    type: aws\n    regions: [us-east-1]\n';
    expect(await diagnose({ 'navarch.yaml': navarch, 'pools/p5.yaml': 'provider: east\ninstance_type: p5.48xlarge\nregion: us-west-2\n' })).toEqual([
      'pools/p5.yaml:3:9 /pools/p5/region region `us-west-2` is not among the `regions` of provider `east` (`us-east-1`)',
    ]);
  });

  it('refuses a zone outside the pool regions', async () => {
    expect(await pool('provider: local\ninstance_type: f1.8xh100\nregion: local-1\nzones: [local-1b, local-2a]\n')).toEqual([
      'pools/train.yaml:4:19 /pools/train/zones/1 zone `local-2a` is not in region `local-1` of provider `local`',
    ]);
  });

  it('refuses a pool no placement of which fits max_price', async () => {
    expect(await pool('provider: local\ngpu: h100\ngpus: 8\nmax_price: 2.5\n')).toEqual([
      'pools/train.yaml:4:12 /pools/train/max_price no placement of this pool costs at most $2.50 per GPU-hour; the cheapest is `f1.8xh100` in local-1 at $2.99 per GPU-hour',
    ]);
  });

  it('refuses spot on lambda, which has none', async () => {
    const text = 'providers:\n  lam:\n    type: lambda\n';
    expect(await diagnose({ 'navarch.yaml': text, 'pools/train.yaml': 'provider: lam\ninstance_type: gpu_1x_h100_pcie\nregion: us-east-1\nspot: true\n' })).toEqual([
      'pools/train.yaml:4:7 /pools/train/spot provider `lam` (lambda) offers no spot instances',
    ]);
  });
});

describe('names and references', () => {
  it('reports a pool name defined in two files at both places', async () => {
    const out = await diagnose({ 'navarch.yaml': NAVARCH, 'pools/a.yaml': 'name: train\nprovider: local\ngpu: h100\n', 'pools/train.yml': 'provider: local\ngpu: h100\n' });
    expect(out).toEqual([
      'pools/a.yaml:1:7 /pools/train pool `train` is defined more than once; also at pools/train.yml:1:1',
      'pools/train.yml:1:1 /pools/train pool `train` is defined more than once; also at pools/a.yaml:1:7',
    ]);
  });

  it('reports a pool defined both inline and in a file', async () => {
    const files = { 'navarch.yaml': `${NAVARCH}pools:\n  train:\n    provider: local\n    gpu: h100\n`, 'pools/train.yaml': 'provider: local\ngpu: h100\n' };
    expect(await diagnose(files)).toEqual([
      'navarch.yaml:5:3 /pools/train pool `train` is defined more than once; also at pools/train.yaml:1:1',
      'pools/train.yaml:1:1 /pools/train pool `train` is defined more than once; also at navarch.yaml:5:3',
    ]);
  });

  it('refuses a file name that is not a valid pool name unless `name:` is given', async () => {
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'pools/Big_Train.yaml': 'provider: local\ngpu: h100\n' })).toEqual([
      'pools/Big_Train.yaml:1:1 /pools/Big_Train pool name `Big_Train` (from the file name) is not valid: use lowercase letters, digits and dashes, starting with a letter; or set `name:`',
    ]);
  });

  it('explains an invalid job name', async () => {
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'jobs/a.yaml': 'name: Tune\ngpu: h100\nrun: x\n' })).toEqual([
      'jobs/a.yaml:1:7 /jobs/Tune/name expected a job name (e.g. `finetune`, `eval-llama`), got `Tune`',
    ]);
  });

  it('refuses a job whose pool does not exist, and one with an unknown GPU', async () => {
    const files = { 'navarch.yaml': NAVARCH, 'pools/train.yaml': 'provider: local\ngpu: h100\n', 'jobs/tune.yaml': 'gpu: h10\nrun: python tune.py\npool: trian\n' };
    expect(await diagnose(files)).toEqual([
      'jobs/tune.yaml:1:6 /jobs/tune/gpu unknown GPU `h10`; did you mean `h100`?',
      'jobs/tune.yaml:3:7 /jobs/tune/pool unknown pool `trian`; did you mean `train`?',
    ]);
  });

  it('does not blame a job for a pool whose file is broken', async () => {
    const files = { 'navarch.yaml': NAVARCH, 'pools/train.yaml': 'provider: [local\n', 'jobs/tune.yaml': 'gpu: h100\nrun: x\npool: train\n' };
    const out = await diagnose(files);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^pools\/train\.yaml:2:1 {2}invalid YAML: /);
  });

  it('refuses a reserved label and a status file outside the repository', async () => {
    const files = {
      'navarch.yaml': `${NAVARCH}status_file: ../status.yaml\ndefaults:\n  labels:\n    navarch-fleet: x\n`,
      'pools/train.yaml': 'provider: local\ngpu: h100\nlabels: {navarch-pool: x}\n',
    };
    expect(await diagnose(files)).toEqual([
      'navarch.yaml:4:14 /status_file expected a path inside the repository (relative, without `..`)',
      "navarch.yaml:7:5 /defaults/labels/navarch-fleet label `navarch-fleet` is reserved: keys starting with `navarch-` are navarch's own",
      "pools/train.yaml:3:10 /pools/train/labels/navarch-pool label `navarch-pool` is reserved: keys starting with `navarch-` are navarch's own",
    ]);
  });

  it('needs navarch.yaml, and says so without a position in a file that is not there', async () => {
    await expect(diagnose({ 'pools/train.yaml': 'provider: local\ngpu: h100\n' })).rejects.toThrow(/^no navarch\.yaml at the root of \/repos\/demo$/);
  });

  it('refuses a fake cloud state file outside the repository, as the status file', async () => {
    const files = { 'navarch.yaml': 'providers:\n  a:\n    type: fake\n    state_file: /tmp/cloud.json\n  b:\n    type: fake\n    state_file: ../cloud.json\n  c:\n    type: fake\n    state_file: .navarch/cloud.json\n' };
    expect(await diagnose(files)).toEqual([
      'navarch.yaml:4:17 /providers/a/state_file expected a path inside the repository (relative, without `..`)',
      'navarch.yaml:7:17 /providers/b/state_file expected a path inside the repository (relative, without `..`)',
    ]);
  });
});

describe('whole repository', () => {
  it('collects every problem of every file in one run, in file order', async () => {
    const files = {
      'navarch.yaml': `${NAVARCH}orphans: keep\n`,
      'pools/a.yaml': 'provider: local\ngpu: h100\nmin_nodes: 3\nmax_nodes: 1\n',
      'pools/b.yaml': 'provider: nope\ngpu: h100\n',
      'pools/notes.txt': 'not yaml: [',
      'jobs/j.yaml': 'gpu: h100\n',
    };
    const out = await diagnose(files);
    expect(out.map((l) => l.split(' ')[0])).toEqual(['navarch.yaml:4:10', 'pools/a.yaml:3:12', 'pools/b.yaml:1:11', 'jobs/j.yaml:1:1']);
  });

  it('names the file of a billion-laughs document and still checks the others', async () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 0; i < 9; i++) text += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]\n`;
    const out = await diagnose({ 'navarch.yaml': NAVARCH, 'pools/laughs.yaml': text, 'pools/b.yaml': 'provider: local\ngpu: h100\nmin_nodes: x\n' });
    expect(out).toEqual([
      'pools/b.yaml:3:12 /pools/b/min_nodes expected an integer, got the string `x`',
      'pools/laughs.yaml:1:1  too many alias expansions (more than 100); refusing a document that expands without bound',
    ]);
  });
});
