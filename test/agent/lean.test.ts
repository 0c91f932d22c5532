/**
 * The agent stays lean: following every import from its entry points reaches no cloud SDK, no
 * server, store, planner or config loader, and loads koffi only on demand (NVML in use). Its own
 * package (agent/package.json, navarch-agent) depends on exactly what that code imports, and its
 * bundle carries the shared code in and leaves only those packages outside.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAgent } from '../../scripts/build-agent.mjs';
import { ROOT } from './agent-process.js';

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

const manifest = (rel: string): Manifest => JSON.parse(readFileSync(join(ROOT, rel), 'utf8')) as Manifest;

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

  it('is its own package, navarch-agent, depending on exactly those, at the ranges and version of navarch', () => {
    const agent = manifest('agent/package.json');
    const main = manifest('package.json');
    expect(agent.name).toBe('navarch-agent');
    expect(agent.version).toBe(main.version);
    expect(agent.bin).toEqual({ 'navarch-agent': 'bin/navarch-agent.js' });
    // tsx only starts the NVML thread from TypeScript sources, in tests.
    const used = [...g.packages.keys()].filter((p) => p !== 'tsx').sort();
    expect(Object.keys(agent.dependencies ?? {}).sort()).toEqual(used);
    // navarch's own navarch-agent bin runs the same bundle, so it installs the same packages.
    for (const p of used) expect(main.dependencies?.[p], p).toBe(agent.dependencies?.[p]);
  });
});

describe("the agent's bundle", () => {
  it('carries the shared code in and leaves only commander, pino and koffi outside', async () => {
    const out = await mkdtemp(join(tmpdir(), 'navarch-agent-bundle-'));
    try {
      const { metafile } = await buildAgent(out);
      const inputs = Object.keys(metafile.inputs);
      expect(inputs.filter((f) => !f.startsWith('agent/')).every((f) => /^src\/(model|health|log)\//.test(f))).toBe(true);
      expect(inputs.some((f) => f.startsWith('src/'))).toBe(true);
      const outputs = Object.entries(metafile.outputs).map(([f, o]) => [relative(out, resolve(ROOT, f)), o] as const);
      expect(outputs.map(([f]) => f).sort()).toEqual(['main.js', 'nvml-worker.js']);
      const external = new Set(outputs.flatMap(([, o]) => o.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path)));
      expect([...external].sort()).toEqual(['commander', 'koffi', 'pino']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
