/**
 * Tests that cross processes run the built CLI (lib/) and the agent's bundle (agent/dist/), exactly
 * as a user would. Build each first when any source file is newer than it, so `npx vitest` alone
 * works too.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|json)$/.test(entry.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const stale = (marker: string, sources: number): boolean => !existsSync(marker) || statSync(marker).mtimeMs < sources;

export default function setup(): void {
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'agent')), newest(join(root, 'schemas')));
  if (stale(join(root, 'lib/src/cli/main.js'), sources)) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
  if (stale(join(root, 'agent/dist/main.js'), sources)) {
    execFileSync(process.execPath, [join(root, 'scripts/build-agent.mjs')], { stdio: 'inherit' });
  }
}
