/**
 * The agent stays lean: following every import from its entry points reaches no cloud SDK, no
 * server, store, planner or config loader, and loads koffi only on demand (NVML in use).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './agent-process.js';

interface Graph {
  files: Set<string>;
  packages: Map<string, 'static' | 'dynamic'>;
}

function walk(entry: string, g: Graph = { files: new Set(), packages: new Map() }): Graph {
  if (g.files.has(entry)) return g;
  g.files.add(entry);
  const text = readFileSync(entry, 'utf8');
  const found: Array<[string, 'static' | 'dynamic']> = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) if (!m[1]) found.push([m[2] ?? '', 'static']);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push([m[1] ?? '', 'static']);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) found.push([m[1] ?? '', 'dynamic']);
  for (const [spec, how] of found) {
    if (spec.startsWith('.')) {
      walk(resolve(dirname(entry), spec.replace(/\.js$/, '.ts')), g);
    } else if (!spec.startsWith('node:')) {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
      if (g.packages.get(name) !== 'static') g.packages.set(name, how);
    }
  }
  return g;
}

describe('the agent\'s dependencies', () => {
  const g = walk(join(ROOT, 'agent/cli/main.ts'));
  walk(join(ROOT, 'agent/index.ts'), g);
  const files = [...g.files].map((f) => relative(ROOT, f));

  it('reaches only the shared pure modules outside agent/', () => {
    const outside = files.filter((f) => !f.startsWith('agent/'));
    expect(outside.length).toBeGreaterThan(0);
    for (const f of outside) expect(f).toMatch(/^src\/(model|health|log)\//);
  });

  it('uses commander and pino, and koffi only on demand', () => {
    // tsx appears only in the code that starts the NVML thread from TypeScript sources (tests).
    expect(Object.fromEntries(g.packages)).toEqual({ commander: 'static', pino: 'static', koffi: 'dynamic', tsx: 'dynamic' });
  });
});
