/** Types of scripts/build-agent.mjs, for the tests that call it. */
import type { BuildResult } from 'esbuild';

/** Builds the agent's bundle (main.js, nvml-worker.js) into `outdir` (default agent/dist). */
export function buildAgent(outdir?: string): Promise<BuildResult<{ metafile: true }>>;
