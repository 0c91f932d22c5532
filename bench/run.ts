/**
 * `npm run bench`: runs each benchmark in its own process (so memory figures are its own) and
 * prints what they report. Benchmarks print figures; they never assert times.
 * Usage: npm run bench [-- NAME...]   (names: plan, git, ingest, agent, startup, failover)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const all = ['plan', 'git', 'ingest', 'agent', 'startup', 'failover'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = (wanted.length ? wanted : all).filter((n) => existsSync(join(here, `${n}.ts`)));

let failed = false;
for (const name of names) {
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
