#!/usr/bin/env node
/**
 * Builds the node agent's bundle, agent/dist/, from agent/ with esbuild.
 *
 *   node scripts/build-agent.mjs
 *
 * Two entries, side by side: main.js (the CLI, `navarch-agent`) and nvml-worker.js (the NVML
 * thread, which main.js starts from `new URL('./nvml-worker.js', import.meta.url)`, so the two
 * must sit in one folder). The shared pure code the agent imports (src/model, src/health, src/log)
 * is bundled in; its npm dependencies (commander, pino, koffi) stay external, installed beside it
 * by the navarch-agent package, so the package needs no second package of navarch code. The
 * bundle is deterministic (no timestamps, no absolute paths) and not minified, so a stack trace
 * read on a node points at readable code.
 */
import { readFile, rm, rename, mkdir } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'agent', 'dist');

/** Builds the bundle into `outdir`. */
export async function buildAgent(outdir = OUT) {
  const pkg = JSON.parse(await readFile(join(ROOT, 'agent', 'package.json'), 'utf8'));
  return esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'agent/cli/main.ts', 'nvml-worker': 'agent/gpu/nvml-worker.ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir,
    packages: 'external',
    legalComments: 'none',
    preserveSymlinks: true,
    metafile: true,
    logLevel: 'warning',
    define: { NAVARCH_VERSION: JSON.stringify(pkg.version) },
  });
}

const isMain = process.argv[1] !== undefined && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  // Build beside, then swap, so a failed build never leaves a half-written agent/dist.
  const tmp = `${OUT}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(dirname(OUT), { recursive: true });
  const result = await buildAgent(tmp);
  await rm(OUT, { recursive: true, force: true });
  await rename(tmp, OUT);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`Built agent/dist (${(bytes / 1024).toFixed(0)} kB in ${Object.keys(result.metafile.outputs).length} files).`);
}
