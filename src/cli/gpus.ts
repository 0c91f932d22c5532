/**
 * `navarch gpus`: the built-in catalog of GPU instance types, filtered, priced and sorted; with
 * `--available`, only what the repository's clouds report capacity for now. Without `--gpu` (or
 * `--all`) the table is a summary, one row per GPU model, as `sky show-gpus` gives.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  catalogProviders,
  catalogSource,
  knownGpus,
  queryCatalog,
  SORT_KEYS,
  summarizeByGpu,
  type CatalogRow,
  type CatalogSource,
  type GpuHourPrice,
  type GpuModelSummary,
  type SortKey,
} from '../catalog/index.js';
import { EXIT, outputFormat, type OutputFormat, type ProviderType } from '../model/index.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';
import { liveOffers, type LiveOffers } from './gpus-available.js';
import { withColor, withDir, withOutput } from './options.js';

interface GpusOptions {
  json?: boolean;
  output?: OutputFormat;
  provider: ProviderType[];
  gpu?: string;
  gpus?: number;
  spot?: boolean;
  region?: string;
  sort: SortKey;
  color?: boolean;
  available?: boolean;
  all?: boolean;
  dir: string;
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

function jsonPrice(p: GpuHourPrice | undefined): unknown {
  return p ? { price_per_gpu_hour: p.price, provider: p.provider, instance_type: p.instanceType, region: p.region } : null;
}

/** The JSON document: field names are part of the CLI's interface and only ever grow. */
function toJson(rows: CatalogRow[], sources: CatalogSource[], opts: GpusOptions, live: LiveOffers | undefined): unknown {
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
    gpu_models: summarizeByGpu(rows).map((m) => ({
      gpu: m.gpu,
      gpu_family: m.gpuFamily,
      gpu_memory_gib: m.gpuMemoryGiB,
      gpus_per_node: m.counts,
      on_demand: jsonPrice(m.onDemand),
      spot: jsonPrice(m.spot),
      providers: m.providers,
      instance_types: m.instanceTypes,
    })),
    sources: sources.map((s) => ({ provider: s.provider, url: s.url, retrieved: s.retrieved, note: s.note })),
    ...(live
      ? {
          availability: {
            checked_at: live.checkedAt,
            providers: live.asked.map((a) => ({ name: a.name, type: a.type, available: a.available ?? null, error: a.error ?? null })),
            uncatalogued: live.uncatalogued.map((u) => ({ provider: u.provider, instance_type: u.instanceType, regions: u.regions })),
          },
        }
      : {}),
  };
}

const HEADERS = ['PROVIDER', 'TYPE', 'GPU', 'GPUS', 'GPU MEM', 'VCPUS', 'HOST MEM', '$/HR', '$/GPU-HR', 'SPOT $/HR', 'REGIONS'];
/** Columns holding numbers are right-aligned so digits line up. */
const NUMERIC = new Set([3, 4, 5, 6, 7, 8, 9]);

const SUMMARY_HEADERS = ['GPU', 'GPU MEM', 'GPUS PER NODE', '$/GPU-HR', 'SPOT $/GPU-HR', 'CLOUDS', 'TYPES'];
const SUMMARY_NUMERIC = new Set([1, 3, 4, 6]);

/** Lines of a table, numeric columns right-aligned, the header bold. */
function aligned(headers: string[], numeric: ReadonlySet<number>, cells: string[][], c: Colors): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [c.bold(line(headers)), ...cells.map((row) => line(row))];
}

/** One row per GPU model: what can be had per node, the cheapest GPU-hour on demand and as spot, and where. */
function renderSummary(models: GpuModelSummary[], sources: CatalogSource[], c: Colors, live: LiveOffers | undefined): string {
  const cells = models.map((m) => [
    m.gpu,
    `${m.gpuMemoryGiB} GiB`,
    m.counts.join(', '),
    money(m.onDemand?.price),
    money(m.spot?.price),
    m.providers.join(', '),
    String(m.instanceTypes),
  ]);
  const out = aligned(SUMMARY_HEADERS, SUMMARY_NUMERIC, cells, c);
  out.push('', c.dim('$/GPU-HR and SPOT $/GPU-HR: the cheapest USD per GPU-hour of any listed type, in any region, on demand and as spot.'));
  out.push(c.dim('`navarch gpus --gpu <GPU>` lists the instance types of one GPU; `--all` lists every type.'));
  for (const s of sources) out.push(c.dim(`Source (${s.provider}): ${s.url}, retrieved ${s.retrieved}`));
  if (live) out.push(...liveFooter(live, c));
  return `${out.join('\n')}\n`;
}

/** Footer lines of a live listing: who was asked, who could not answer, what the catalog lacks. */
function liveFooter(live: LiveOffers, c: Colors): string[] {
  const answered = live.asked.filter((a) => a.error === undefined).map((a) => `${a.name} (${a.type})`);
  const out = [c.dim(`Live capacity from ${answered.join(', ')} at ${live.checkedAt}; REGIONS lists only regions with capacity now.`)];
  for (const a of live.asked) if (a.error !== undefined) out.push(c.yellow(`Could not ask ${a.name} (${a.type}): ${a.error}`));
  for (const u of live.uncatalogued) {
    out.push(c.dim(`Offered but not in the catalog: ${u.provider} ${u.instanceType} (${u.regions.join(', ')})`));
  }
  return out;
}

function renderTable(rows: CatalogRow[], sources: CatalogSource[], opts: GpusOptions, c: Colors, live: LiveOffers | undefined): string {
  const cells = rows.map((r) => [
    r.info.provider,
    r.info.instanceType,
    r.info.gpu,
    String(r.info.gpus),
    `${r.info.gpuMemoryGiB} GiB`,
    String(r.info.vcpus),
    `${r.info.memoryGiB} GiB`,
    money(r.price?.price),
    money(r.pricePerGpu),
    money(r.spot?.price),
    regionsCell(r),
  ]);
  const out = aligned(HEADERS, NUMERIC, cells, c);
  const market = opts.spot ? 'spot' : 'on-demand';
  out.push('', c.dim(`$/HR (per node) and $/GPU-HR: ${market} USD in the cheapest region, named first under REGIONS.`));
  out.push(c.dim('SPOT $/HR: cheapest spot price. Figures are approximate list prices; --json gives each source\'s note.'));
  for (const s of sources) out.push(c.dim(`Source (${s.provider}): ${s.url}, retrieved ${s.retrieved}`));
  if (live) out.push(...liveFooter(live, c));
  return `${out.join('\n')}\n`;
}

/** Registers `navarch gpus`. */
export function registerGpus(program: Command, ctx: CliContext): void {
  const cmd = program
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
    .option('--available', 'only types and regions with capacity now, asked of the clouds declared in --dir that report it (Lambda, fake)')
    .option('--all', 'list every instance type rather than a summary by GPU model (the listing --gpu gives for one GPU)')
    .addHelpText(
      'after',
      [
        '',
        'Without --gpu or --all: one row per GPU model, with the GPUs per node on offer, the cheapest',
        '$/GPU-hr on demand and as spot, and the clouds that sell it (the filters below narrow it too).',
        '',
        'Sort keys (of the instance types of --gpu and --all):',
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
        '  navarch gpus',
        '  navarch gpus --gpu h100 --gpus 8',
        '  navarch gpus --provider aws,gcp --gpu a100 --spot --sort price',
        '  navarch gpus --region us-central1 --json',
        '  navarch gpus --available --gpu h100 --dir my-fleet',
        '',
        'With --available, the providers declared in the repository at --dir (default: .) that report',
        'live availability are asked what has capacity now (API keys come from the environment, as for',
        'plan and apply); prices still come from the catalog.',
      ].join('\n'),
    );
  withColor(withOutput(withDir(cmd))).action(async (opts: GpusOptions) => {
    const format = outputFormat(opts);
    const live = opts.available ? await liveOffers(ctx, opts.dir, opts.provider) : undefined;
    // Without --provider every real cloud is listed; with --available, every cloud the repository uses.
    const providers =
      opts.provider.length > 0 ? opts.provider : live ? [...new Set(live.asked.map((a) => a.type))] : catalogProviders().filter((p) => p !== 'fake');
    const rows = queryCatalog({
      providers,
      sort: opts.sort,
      spot: opts.spot ?? false,
      ...(opts.gpu !== undefined ? { gpu: opts.gpu } : {}),
      ...(opts.gpus !== undefined ? { gpus: opts.gpus } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
      ...(live ? { offers: live.offers } : {}),
    });
    const shown = providers.filter((p) => rows.some((r) => r.info.provider === p));
    const sources = shown.map((p) => catalogSource(p)).filter((s): s is CatalogSource => s !== undefined);
    const c = colors(colorEnabled(ctx, opts));
    if (format === 'json') {
      ctx.stdout.write(`${JSON.stringify(toJson(rows, sources, opts, live), null, 2)}\n`);
    } else if (rows.length === 0) {
      ctx.stdout.write(live ? 'No instance types with capacity now match.\n' : 'No instance types match.\n');
      if (live) ctx.stdout.write(`${liveFooter(live, c).join('\n')}\n`);
    } else if (opts.gpu === undefined && !opts.all) {
      ctx.stdout.write(renderSummary(summarizeByGpu(rows), sources, c, live));
    } else {
      ctx.stdout.write(renderTable(rows, sources, opts, c, live));
    }
    ctx.exitCode = EXIT.ok;
  });
}
