/**
 * What `navarch init` needs to know: the cloud, the GPU and the pool size. Flags answer them; on a
 * terminal the ones not given are asked; otherwise each takes its default, so scripts that ran
 * `navarch init` before keep getting the same repository.
 */
import { instanceTypes, matchesGpu, resolveGpu, cheapestPrice } from '../catalog/index.js';
import { NavarchError, type ProviderType } from '../model/index.js';
import type { CliContext } from './context.js';
import { questions } from './prompt.js';

/** The clouds `init` writes a skeleton for, the default first. */
export const INIT_PROVIDERS = ['fake', 'aws', 'gcp', 'lambda'] as const satisfies readonly ProviderType[];
export type InitProvider = (typeof INIT_PROVIDERS)[number];

/** The first pool's machines: GPU model and count per node, and the region they run in. */
export interface PoolShape {
  gpu: string;
  gpus: number;
  region: string;
}

/** Each cloud's default first pool, as `init` wrote it before it asked anything. */
const DEFAULT_SHAPES: Record<InitProvider, PoolShape> = {
  fake: { gpu: 'h100', gpus: 8, region: 'local-1' },
  aws: { gpu: 'h100', gpus: 8, region: 'us-east-1' },
  gcp: { gpu: 'l4', gpus: 1, region: 'us-central1' },
  lambda: { gpu: 'h100', gpus: 1, region: 'us-east-1' },
};
export const DEFAULT_NODES = 2;
const MAX_NODES = 1000;

export interface InitAnswers {
  provider: InitProvider;
  shape: PoolShape;
  /** Nodes the pool keeps (its `min_nodes`). */
  nodes: number;
}

/** What the command line gave; undefined for a question it left open. */
export interface GivenAnswers {
  provider: string | undefined;
  gpu: string | undefined;
  nodes: string | undefined;
}

export function parseProvider(text: string): InitProvider {
  const p = text.trim().toLowerCase();
  if ((INIT_PROVIDERS as readonly string[]).includes(p)) return p as InitProvider;
  throw new NavarchError('cli.invalid', `--provider must be one of ${INIT_PROVIDERS.join(', ')}, not "${text}"`);
}

/** GPU models the catalog has instance types of on `provider`, in catalog order. */
export function gpusOf(provider: InitProvider): string[] {
  return [...new Set(instanceTypes(provider).map((t) => t.gpu))];
}

/**
 * The pool shape for GPU `text` (an id or a family) on `provider`: the cloud's default count of
 * GPUs per node when the catalog has that, else the fewest it has; in the default region when the
 * type is offered there, else where it is cheapest.
 */
export function parseGpu(provider: InitProvider, text: string): PoolShape {
  const gpu = text.trim().toLowerCase();
  const base = DEFAULT_SHAPES[provider];
  const types = instanceTypes(provider).filter((t) => matchesGpu(t, gpu));
  if (types.length === 0) {
    throw new NavarchError('cli.invalid', `--gpu: navarch's catalog has no ${provider} instance type with GPU "${text}" (${provider} has ${gpusOf(provider).join(', ')})`);
  }
  const counts = [...new Set(types.map((t) => t.gpus))].sort((a, b) => a - b);
  const gpus = counts.includes(base.gpus) ? base.gpus : (counts[0] as number);
  const offered = resolveGpu(provider, gpu, gpus);
  if (offered.some((t) => t.regions.some((r) => r.region === base.region))) return { gpu, gpus, region: base.region };
  const cheapest = offered[0];
  const region = (cheapest && cheapestPrice(cheapest, false)?.region) ?? cheapest?.regions[0]?.region ?? base.region;
  return { gpu, gpus, region };
}

export function parseNodes(text: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES) throw new NavarchError('cli.invalid', `--nodes must be a whole number from 1 to ${MAX_NODES}, not "${text}"`);
  return n;
}

/**
 * Resolves every answer: from the flags, else (on a terminal) by asking, else the default. Bad
 * flags are refused before anything is asked; a bad typed answer is asked again.
 */
export async function initAnswers(ctx: CliContext, given: GivenAnswers): Promise<InitAnswers> {
  let provider = given.provider !== undefined ? parseProvider(given.provider) : undefined;
  let shape = provider && given.gpu !== undefined ? parseGpu(provider, given.gpu) : undefined;
  let nodes = given.nodes !== undefined ? parseNodes(given.nodes) : undefined;
  const interactive = ctx.stdin.isTTY === true && (provider === undefined || given.gpu === undefined || nodes === undefined);
  if (interactive) {
    const q = questions(ctx);
    const ended = (): never => {
      throw new NavarchError('cli.invalid', 'init needs an answer to each question (or --provider, --gpu and --nodes); nothing was written');
    };
    try {
      provider ??= (await q.ask(`Cloud provider (${INIT_PROVIDERS.join(', ')})`, 'fake', parseProvider)) ?? ended();
      const p = provider;
      if (given.gpu === undefined) shape = (await q.ask(`GPU model (${gpusOf(p).join(', ')})`, DEFAULT_SHAPES[p].gpu, (t) => parseGpu(p, t))) ?? ended();
      nodes ??= (await q.ask('Nodes in the pool', String(DEFAULT_NODES), parseNodes)) ?? ended();
    } finally {
      q.close();
    }
  }
  provider ??= 'fake';
  // --gpu was given: parsed once the provider is known (it may have been asked for).
  shape ??= given.gpu !== undefined ? parseGpu(provider, given.gpu) : DEFAULT_SHAPES[provider];
  return { provider, shape, nodes: nodes ?? DEFAULT_NODES };
}
