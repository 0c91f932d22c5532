/** `navarch gpus`: the built-in catalog of GPU instance types, filtered, priced and sorted. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  catalogProviders,
  catalogSource,
  knownGpus,
  queryCatalog,
  SORT_KEYS,
  type CatalogRow,
  type CatalogSource,
  type SortKey,
} from '../catalog/index.js';
import type { ProviderType } from '../model/index.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';

interface GpusOptions {
  json?: boolean;
  provider: ProviderType[];
  gpu?: string;
  gpus?: number;
  spot?: boolean;
  region?: string;
  sort: SortKey;
  color?: boolean;
}

function parseProviders(value: string, previous: ProviderType[]): ProviderType[] {
  const known = catalogProviders();
  const out = [...previous];
  for (const name of value.split(',').map((s) => s.trim().toLowerCase())) {
    if (name === '') continue;
    const type = known.find((p) => p === name);
    if (!type) throw new InvalidArgumentError(`unknown provider type '${name}' (expected one of: ${known.join(', ')})`);
    if (!out.includes(type)) out.push(type);
  }
  return out;
}

function parseGpu(value: string): string {
  const gpu = value.trim().toLowerCase();
  if (!knownGpus().includes(gpu)) throw new InvalidArgumentError(`unknown GPU '${value}' (expected one of: ${knownGpus().join(', ')})`);
  return gpu;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive whole number of GPUs, got '${value}'`);
  }
  return n;
}

function parseSort(value: string): SortKey {
  const key = SORT_KEYS.find((k) => k === value.trim().toLowerCase());
  if (!key) throw new InvalidArgumentError(`unknown sort key '${value}' (expected one of: ${SORT_KEYS.join(', ')})`);
  return key;
}

/** USD with cents, or a dash where the catalog has no figure. */
function money(n: number | undefined): string {
  return n === undefined ? '-' : n.toFixed(2);
}

function regionsCell(row: CatalogRow): string {
  const first = row.price?.region ?? row.regions[0]?.region ?? '-';
  return row.regions.length > 1 ? `${first} +${row.regions.length - 1}` : first;
}

/** The JSON document: field names are part of the CLI's interface and only ever grow. */
function toJson(rows: CatalogRow[], sources: CatalogSource[], opts: GpusOptions): unknown {
  return {
    market: opts.spot ? 'spot' : 'on-demand',
    sort: opts.sort,
    instance_types: rows.map((r) => ({
      provider: r.info.provider,
      instance_type: r.info.instanceType,
      gpu: r.info.gpu,
      gpu_family: r.info.gpuFamily,
      gpu_name: r.info.gpuName,
      gpus: r.info.gpus,
      gpu_memory_gib: r.info.gpuMemoryGiB,
      vcpus: r.info.vcpus,
      memory_gib: r.info.memoryGiB,
      price_per_hour: r.price?.price ?? null,
      price_per_gpu_hour: r.pricePerGpu ?? null,
      price_region: r.price?.region ?? null,
      spot_price_per_hour: r.spot?.price ?? null,
      regions: r.regions.map((g) => ({ region: g.region, zones: g.zones, on_demand: g.onDemand ?? null, spot: g.spot ?? null })),
    })),
    sources: sources.map((s) => ({ provider: s.provider, url: s.url, retrieved: s.retrieved, note: s.note })),
  };
}

const HEADERS = ['PROVIDER', 'TYPE', 'GPU', 'GPUS', 'GPU MEM', 'VCPUS', '$/HR', '$/GPU-HR', 'SPOT $/HR', 'REGIONS'];
/** Columns holding numbers are right-aligned so digits line up. */
const NUMERIC = new Set([3, 4, 5, 6, 7, 8]);

function renderTable(rows: CatalogRow[], sources: CatalogSource[], opts: GpusOptions, c: Colors): string {
  const cells = rows.map((r) => [
    r.info.provider,
    r.info.instanceType,
    r.info.gpu,
    String(r.info.gpus),
    `${r.info.gpuMemoryGiB} GiB`,
    String(r.info.vcpus),
    money(r.price?.price),
    money(r.pricePerGpu),
    money(r.spot?.price),
    regionsCell(r),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (NUMERIC.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [c.bold(line(HEADERS)), ...cells.map((row) => line(row))];
  const market = opts.spot ? 'spot' : 'on-demand';
  out.push('', c.dim(`$/HR (per node) and $/GPU-HR: ${market} USD in the cheapest region, named first under REGIONS.`));
  out.push(c.dim('SPOT $/HR: cheapest spot price. Figures are approximate list prices; --json gives each source\'s note.'));
  for (const s of sources) out.push(c.dim(`Source (${s.provider}): ${s.url}, retrieved ${s.retrieved}`));
  return `${out.join('\n')}\n`;
}

/** Registers `navarch gpus`. */
export function registerGpus(program: Command, ctx: CliContext): void {
  program
    .command('gpus')
    .description('List GPU instance types of the built-in catalog with their shapes and prices.')
    .addOption(
      new Option('--provider <type>', 'only these provider types; repeat or give a comma list')
        .argParser(parseProviders)
        .default([], 'every real cloud'),
    )
    .option('--gpu <id>', 'only this GPU, by id (a100-80gb) or family (a100 matches both A100 sizes)', parseGpu)
    .option('--gpus <n>', 'only types with exactly this many GPUs per node', parseCount)
    .option('--region <region>', 'only types offered in this region, priced there')
    .option('--spot', 'price by spot and list only types sold as spot')
    .option('--sort <key>', `order of the rows: ${SORT_KEYS.join(', ')}`, parseSort, 'gpu-price' as SortKey)
    .option('--json', 'print a JSON document instead of a table')
    .option('--no-color', 'never colour the output')
    .addHelpText(
      'after',
      [
        '',
        'Sort keys:',
        '  gpu-price  $/GPU-hr, cheapest first (default)',
        '  price      $/hr per node, cheapest first',
        '  gpus       GPUs per node, most first',
        '  memory     memory per GPU, most first',
        '  name       provider, then instance type',
        'Ties fall back to $/GPU-hr, then provider and type. Types without a price sort last.',
        '',
        'Prices are USD per node-hour in the cheapest region that lists one. Without --provider every',
        'real cloud is listed; the embedded fake cloud only when named (--provider fake).',
        '',
        'Examples:',
        '  navarch gpus --gpu h100 --gpus 8',
        '  navarch gpus --provider aws,gcp --gpu a100 --spot --sort price',
        '  navarch gpus --region us-central1 --json',
      ].join('\n'),
    )
    .action((opts: GpusOptions) => {
      const providers = opts.provider.length > 0 ? opts.provider : catalogProviders().filter((p) => p !== 'fake');
      const rows = queryCatalog({
        providers,
        sort: opts.sort,
        spot: opts.spot ?? false,
        ...(opts.gpu !== undefined ? { gpu: opts.gpu } : {}),
        ...(opts.gpus !== undefined ? { gpus: opts.gpus } : {}),
        ...(opts.region !== undefined ? { region: opts.region } : {}),
      });
      const shown = providers.filter((p) => rows.some((r) => r.info.provider === p));
      const sources = shown.map((p) => catalogSource(p)).filter((s): s is CatalogSource => s !== undefined);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(toJson(rows, sources, opts), null, 2)}\n`);
      } else if (rows.length === 0) {
        ctx.stdout.write('No instance types match.\n');
      } else {
        ctx.stdout.write(renderTable(rows, sources, opts, colors(colorEnabled(ctx, opts))));
      }
      ctx.exitCode = 0;
    });
}
