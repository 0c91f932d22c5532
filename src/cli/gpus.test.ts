import { describe, expect, it } from 'vitest';
import { runCommand, type TestRunOptions } from './testing.js';

/** The escape character that starts every ANSI colour sequence. */
const ESC = String.fromCharCode(27);

const gpus = (args: string[], opts: TestRunOptions = {}) => runCommand(['gpus', ...args], opts);

interface JsonRow {
  provider: string;
  instance_type: string;
  gpu: string;
  gpu_name: string;
  gpus: number;
  gpu_memory_gib: number;
  vcpus: number;
  memory_gib: number;
  price_per_hour: number | null;
  price_per_gpu_hour: number | null;
  price_region: string | null;
  spot_price_per_hour: number | null;
  regions: Array<{ region: string; zones: string[]; on_demand: number | null; spot: number | null }>;
}
interface JsonDoc {
  market: string;
  sort: string;
  instance_types: JsonRow[];
  sources: Array<{ provider: string; url: string; retrieved: string; note: string }>;
}

async function gpusJson(args: string[]): Promise<JsonDoc> {
  const r = await gpus([...args, '--json']);
  expect(r.code).toBe(0);
  expect(r.err).toBe('');
  return JSON.parse(r.out) as JsonDoc;
}

/** Data rows of the table: the lines between the header and the blank line before the footer. */
function tableRows(out: string): string[][] {
  const lines = out.split('\n');
  const end = lines.indexOf('');
  return lines.slice(1, end).map((l) => l.split(/\s{2,}/));
}

describe('navarch gpus (table)', () => {
  it('prints an aligned table with every column, host memory included, and a sources footer', async () => {
    const r = await gpus(['--all']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const header = r.out.split('\n')[0]!;
    expect(header.split(/\s{2,}/)).toEqual(['PROVIDER', 'TYPE', 'GPU', 'GPUS', 'GPU MEM', 'VCPUS', 'HOST MEM', '$/HR', '$/GPU-HR', 'SPOT $/HR', 'REGIONS']);
    expect(tableRows(r.out).find((row) => row[1] === 'p5.48xlarge')?.slice(4, 7)).toEqual(['80 GiB', '192', '2048 GiB']);
    const rows = r.out.split('\n').slice(1, r.out.split('\n').indexOf(''));
    // Right-aligned numeric columns end at the same offset as their header.
    const perGpuEnd = header.indexOf('$/GPU-HR') + '$/GPU-HR'.length;
    for (const row of rows) expect(row[perGpuEnd - 1]).toMatch(/[0-9-]/);
    expect(r.out).toMatch(/Source \(aws\): https:\/\/\S+, retrieved \d{4}-\d{2}-\d{2}/);
    expect(r.out).toMatch(/Source \(gcp\): /);
    expect(r.out).toMatch(/Source \(lambda\): /);
    expect(r.out).not.toContain(`${ESC}[`);
  });

  it('leaves the fake cloud out unless it is named', async () => {
    expect((await gpus(['--all'])).out).not.toMatch(/^fake /m);
    const r = await gpus(['--provider', 'fake', '--all']);
    expect(tableRows(r.out).every((row) => row[0] === 'fake')).toBe(true);
    expect(r.out).toMatch(/Source \(fake\)/);
  });

  it('sorts by $/GPU-hr by default and shows "-" for unknown prices, last', async () => {
    const rows = tableRows((await gpus(['--provider', 'aws', '--gpu', 'h200'])).out);
    expect(rows.map((r) => r[1])).toEqual(['p5en.48xlarge', 'p5e.48xlarge']);
    expect(rows[1]!.slice(7, 10)).toEqual(['-', '-', '-']);
    expect(rows[0]![7]).toBe('63.30');
    expect(rows[0]![8]).toBe('7.91');
    expect(rows[0]![10]).toBe('us-east-1 +2');
  });

  it('names the region the price comes from first', async () => {
    const rows = tableRows((await gpus(['--provider', 'gcp', '--gpu', 'h100', '--gpus', '8', '--sort', 'price'])).out);
    expect(rows.map((r) => [r[1], r[10]])).toEqual([
      ['a3-highgpu-8g', 'us-central1 +2'],
      ['a3-megagpu-8g', 'us-east4 +2'],
    ]);
  });

  it('colours only on a terminal and never with --no-color or NO_COLOR', async () => {
    expect((await gpus(['--gpu', 'gh200'], { tty: true })).out).toContain(`${ESC}[1m`);
    expect((await gpus(['--gpu', 'gh200', '--no-color'], { tty: true })).out).not.toContain(ESC);
    expect((await gpus(['--gpu', 'gh200'], { tty: true, env: { NO_COLOR: '1' } })).out).not.toContain(ESC);
  });

  it('says so when nothing matches, and exits 0', async () => {
    const r = await gpus(['--region', 'atlantis-1']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('No instance types match.\n');
  });

  it('describes every option and sort key in --help', async () => {
    const r = await gpus(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--json', '--provider', '--gpu <id>', '--gpus <n>', '--spot', '--region', '--sort', '--all', '--no-color']) {
      expect(r.out).toContain(flag);
    }
    for (const key of ['gpu-price', 'price', 'gpus', 'memory', 'name']) expect(r.out).toMatch(new RegExp(`^  ${key} `, 'm'));
  });
});

describe('navarch gpus (summary by GPU model)', () => {
  it('without --gpu: one row per GPU model with GPUs per node, the cheapest GPU-hour on demand and spot, and the clouds', async () => {
    const r = await gpus([]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]!.split(/\s{2,}/)).toEqual(['GPU', 'GPU MEM', 'GPUS PER NODE', '$/GPU-HR', 'SPOT $/GPU-HR', 'CLOUDS', 'TYPES']);
    const rows = tableRows(r.out);
    const byGpu = new Map(rows.map((row) => [row[0], row]));
    expect(byGpu.get('h100')).toEqual(['h100', '80 GiB', '1, 2, 4, 8', '3.29', '2.96', 'aws, gcp, lambda', '11']);
    expect(byGpu.get('h200')).toEqual(['h200', '141 GiB', '8', '7.91', '3.32', 'aws, gcp', '3']);
    // Lambda sells no spot capacity.
    expect(byGpu.get('gh200')?.slice(3, 6)).toEqual(['2.29', '-', 'lambda']);
    // One row per model, cheapest GPU-hour first.
    expect(new Set(rows.map((row) => row[0])).size).toBe(rows.length);
    const prices = rows.map((row) => Number(row[3]));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(r.out).toContain('`navarch gpus --gpu <GPU>` lists the instance types of one GPU; `--all` lists every type.');
  });

  it('narrows the summary with the same filters as the listing', async () => {
    const rows = tableRows((await gpus(['--provider', 'lambda', '--gpus', '8'])).out);
    expect(rows.map((row) => row[0]).sort()).toEqual(['a100', 'a100-80gb', 'b200', 'h100']);
    expect(rows.every((row) => row[2] === '8' && row[5] === 'lambda')).toBe(true);
  });

  it('--json carries the summary beside the instance types', async () => {
    const doc = (await gpusJson(['--gpu', 'h200'])) as JsonDoc & { gpu_models: unknown[] };
    expect(doc.gpu_models).toEqual([
      {
        gpu: 'h200',
        gpu_family: 'h200',
        gpu_memory_gib: 141,
        gpus_per_node: [8],
        on_demand: { price_per_gpu_hour: 7.912, provider: 'aws', instance_type: 'p5en.48xlarge', region: 'us-east-1' },
        spot: { price_per_gpu_hour: 3.3214, provider: 'aws', instance_type: 'p5en.48xlarge', region: 'us-east-2' },
        providers: ['aws', 'gcp'],
        instance_types: 3,
      },
    ]);
  });
});

describe('navarch gpus --json', () => {
  it('has stable field names, nulls for unknown figures and the sources it drew on', async () => {
    const doc = await gpusJson(['--provider', 'aws', '--gpu', 'h200']);
    expect(doc.market).toBe('on-demand');
    expect(doc.sort).toBe('gpu-price');
    expect(Object.keys(doc.instance_types[0]!)).toEqual([
      'provider',
      'instance_type',
      'gpu',
      'gpu_family',
      'gpu_name',
      'gpus',
      'gpu_memory_gib',
      'vcpus',
      'memory_gib',
      'price_per_hour',
      'price_per_gpu_hour',
      'price_region',
      'spot_price_per_hour',
      'regions',
    ]);
    expect(doc.instance_types[0]).toMatchObject({
      provider: 'aws',
      instance_type: 'p5en.48xlarge',
      gpu: 'h200',
      gpus: 8,
      price_per_hour: 63.296,
      price_per_gpu_hour: 7.912,
      price_region: 'us-east-1',
      spot_price_per_hour: 26.5714,
    });
    expect(doc.instance_types[0]!.regions[0]).toEqual({
      region: 'us-east-1',
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'],
      on_demand: 63.296,
      spot: 27.1988,
    });
    expect(doc.instance_types[1]).toMatchObject({ instance_type: 'p5e.48xlarge', price_per_hour: null, spot_price_per_hour: null });
    expect(doc.sources.map((s) => s.provider)).toEqual(['aws']);
    expect(doc.sources[0]!.note).toMatch(/approximate/);
  });

  it('is deterministic', async () => {
    expect(await gpusJson([])).toEqual(await gpusJson([]));
  });

  it('filters by family and by id', async () => {
    const family = await gpusJson(['--gpu', 'a100']);
    expect(new Set(family.instance_types.map((r) => r.gpu))).toEqual(new Set(['a100', 'a100-80gb']));
    const id = await gpusJson(['--gpu', 'A100-80GB']);
    expect(id.instance_types.length).toBeGreaterThan(0);
    expect(id.instance_types.every((r) => r.gpu === 'a100-80gb')).toBe(true);
  });

  it('filters by GPU count, provider list and region', async () => {
    const doc = await gpusJson(['--gpus', '8', '--provider', 'gcp,lambda', '--provider', 'gcp']);
    expect(doc.instance_types.every((r) => r.gpus === 8)).toBe(true);
    expect(new Set(doc.instance_types.map((r) => r.provider))).toEqual(new Set(['gcp', 'lambda']));
    expect(doc.sources.map((s) => s.provider)).toEqual(['gcp', 'lambda']);

    const eu = await gpusJson(['--region', 'europe-west4']);
    expect(eu.instance_types.length).toBeGreaterThan(0);
    for (const r of eu.instance_types) {
      expect(r.regions.map((g) => g.region)).toEqual(['europe-west4']);
      if (r.price_region !== null) expect(r.price_region).toBe('europe-west4');
    }
    const a3 = eu.instance_types.find((r) => r.instance_type === 'a3-highgpu-8g')!;
    expect(a3.price_per_hour).toBe(112.5405);
  });

  it('prices by spot with --spot and drops types sold only on demand', async () => {
    const doc = await gpusJson(['--spot', '--gpu', 'h100']);
    expect(doc.market).toBe('spot');
    expect(doc.instance_types.some((r) => r.provider === 'lambda')).toBe(false);
    for (const r of doc.instance_types) {
      expect(r.price_per_hour).toBe(r.spot_price_per_hour);
      expect(r.price_per_hour).not.toBeNull();
    }
    const perGpu = doc.instance_types.map((r) => r.price_per_gpu_hour!);
    expect(perGpu).toEqual([...perGpu].sort((a, b) => a - b));
  });

  it('sorts by every key', async () => {
    const byPrice = (await gpusJson(['--sort', 'price'])).instance_types.map((r) => r.price_per_hour);
    const known = byPrice.filter((p): p is number => p !== null);
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(byPrice.slice(known.length).every((p) => p === null)).toBe(true);

    const byGpus = (await gpusJson(['--sort', 'gpus'])).instance_types.map((r) => r.gpus);
    expect(byGpus).toEqual([...byGpus].sort((a, b) => b - a));
    expect(byGpus[0]).toBe(16);

    const byMemory = (await gpusJson(['--sort', 'memory'])).instance_types.map((r) => r.gpu_memory_gib);
    expect(byMemory).toEqual([...byMemory].sort((a, b) => b - a));

    const byName = (await gpusJson(['--sort', 'name'])).instance_types.map((r) => `${r.provider}/${r.instance_type}`);
    // Numbers inside names compare as numbers, so 8xlarge comes before 12xlarge.
    expect(byName.slice(0, 3)).toEqual(['aws/g5.2xlarge', 'aws/g5.4xlarge', 'aws/g5.8xlarge']);
    expect(byName.indexOf('aws/g5.8xlarge')).toBeLessThan(byName.indexOf('aws/g5.12xlarge'));
    expect(byName.indexOf('aws/p6-b200.48xlarge')).toBeLessThan(byName.indexOf('gcp/a2-highgpu-1g'));
    expect(byName.at(-1)).toBe('lambda/gpu_8x_h100_sxm5');
  });
});

describe('navarch gpus (invalid input)', () => {
  it.each([
    [['--sort', 'cost'], /unknown sort key 'cost' \(expected one of: gpu-price, price, gpus, memory, name\)/],
    [['--provider', 'azure'], /unknown provider type 'azure' \(expected one of: fake, aws, gcp, lambda\)/],
    [['--provider', 'aws,oracle'], /unknown provider type 'oracle'/],
    [['--gpu', 'h300'], /unknown GPU 'h300'/],
    [['--gpus', 'two'], /positive whole number/],
    [['--gpus', '0'], /positive whole number/],
    [['--bogus'], /unknown option '--bogus'/],
  ])('%j fails with a clear message and exit code 1', async (args, message) => {
    const r = await gpus(args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
