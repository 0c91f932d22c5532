import { readFileSync } from 'node:fs';

/** Defined by scripts/build-agent.mjs in the bundle; absent when running the sources or lib/. */
declare const NAVARCH_VERSION: string | undefined;

/** navarch and navarch-agent share one version, so either package.json gives the agent's. */
const PACKAGES: ReadonlySet<string> = new Set(['navarch', 'navarch-agent']);

/**
 * The agent's version: fixed in the bundle; otherwise read from the package.json above agent/
 * (navarch-agent's), lib/agent/ or the repository root (navarch's).
 */
export const AGENT_VERSION: string =
  typeof NAVARCH_VERSION === 'string'
    ? NAVARCH_VERSION
    : (() => {
        for (const rel of ['../package.json', '../../package.json']) {
          try {
            const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
            if (pkg.name !== undefined && PACKAGES.has(pkg.name) && pkg.version) return pkg.version;
          } catch {
            // try the next candidate
          }
        }
        return '0.0.0';
      })();
