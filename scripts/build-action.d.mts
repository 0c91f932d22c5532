/** Types of scripts/build-action.mjs, for the tests that call it. */
import type { BuildResult } from 'esbuild';

/** Builds the action's bundle into `outdir` (default dist/action). */
export function buildAction(outdir?: string): Promise<BuildResult<{ metafile: true }>>;
/** Builds into a temporary directory and lists how `dir` (default dist/action) differs; empty when identical. */
export function compareWithBuild(dir?: string): Promise<string[]>;
