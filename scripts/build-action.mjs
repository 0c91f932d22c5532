#!/usr/bin/env node
/**
 * Builds the GitHub Action's bundle, dist/action/, from src/action/main.ts with esbuild.
 *
 *   node scripts/build-action.mjs            rebuild dist/action
 *   node scripts/build-action.mjs --check    fail when dist/action is not what the sources build
 *
 * The bundle is one ESM entry (index.js) plus chunks that load only when needed: each cloud SDK
 * sits in its own chunk, imported the first time a repository declares that cloud, as the CLI
 * does. The output is deterministic (no timestamps, no absolute paths), so the committed bundle
 * can be compared byte for byte with a fresh build.
 *
 * Two substitutions keep the Google Cloud chunk small without changing what it does:
 * `@google-cloud/compute` is reduced to the two clients navarch uses (its index pulls every
 * Compute API and a 30 MB static protobuf module), and the protobuf descriptors those clients load
 * are pruned to the types reachable from their two services.
 */
import { createRequire } from 'node:module';
import { mkdtemp, readdir, readFile, rm, mkdir, writeFile, rename } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'action');
const require = createRequire(join(ROOT, 'package.json'));

/** The Compute Engine services navarch calls; everything else in the descriptors is dropped. */
const GCP_SERVICES = ['google.cloud.compute.v1.Instances', 'google.cloud.compute.v1.ZoneOperations'];

/** Compute's protobuf descriptors, keeping only what GCP_SERVICES reach (requests, responses, their fields, enclosing types). */
function prunedComputeProtos() {
  const protobuf = require('protobufjs');
  const json = require('@google-cloud/compute/build/protos/protos.json');
  const root = protobuf.Root.fromJSON(json);
  root.resolveAll();
  const keep = new Set();
  const seen = new Set();
  const add = (o) => {
    if (!o || seen.has(o)) return;
    seen.add(o);
    keep.add(o.fullName.replace(/^\./, ''));
    if (o instanceof protobuf.Service) {
      for (const m of o.methodsArray) {
        add(m.resolvedRequestType);
        add(m.resolvedResponseType);
      }
    }
    if (o instanceof protobuf.Type) {
      for (const f of o.fieldsArray) add(f.resolvedType);
      for (const n of o.nestedArray) add(n);
    }
    for (let p = o.parent; p && p.parent; p = p.parent) add(p);
  };
  for (const name of GCP_SERVICES) add(root.lookupService(name));
  const walk = (node, prefix) => {
    if (!node.nested) return node;
    const nested = {};
    for (const [key, value] of Object.entries(node.nested)) {
      const full = prefix ? `${prefix}.${key}` : key;
      if (keep.has(full)) nested[key] = walk(value, full);
    }
    return { ...node, nested };
  };
  return walk(json, '');
}

const gcpPlugin = {
  name: 'navarch-gcp',
  setup(build) {
    build.onResolve({ filter: /^@google-cloud\/compute$/ }, () => ({ path: 'compute', namespace: 'navarch-gcp' }));
    build.onLoad({ filter: /^compute$/, namespace: 'navarch-gcp' }, () => ({
      contents:
        "export { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';\n" +
        "export { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';\n",
      resolveDir: ROOT,
      loader: 'js',
    }));
    build.onResolve({ filter: /\/protos\/protos\.json$/ }, (args) =>
      args.resolveDir.split(sep).join('/').includes('/@google-cloud/compute/') ? { path: 'protos.json', namespace: 'navarch-gcp' } : undefined,
    );
    build.onLoad({ filter: /^protos\.json$/, namespace: 'navarch-gcp' }, () => ({ contents: JSON.stringify(prunedComputeProtos()), loader: 'json' }));
  },
};

/** The third-party packages in the bundle, with their licenses, as one text file. */
async function licenses(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  const entries = new Map();
  for (const dir of dirs) {
    const abs = join(ROOT, dir);
    const pkg = JSON.parse(await readFile(join(abs, 'package.json'), 'utf8'));
    const key = `${pkg.name}@${pkg.version}`;
    if (entries.has(key)) continue;
    const file = (await readdir(abs)).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)).sort();
    const texts = await Promise.all(file.map((f) => readFile(join(abs, f), 'utf8')));
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'see the package');
    entries.set(key, `${key}\nLicense: ${license}\n\n${texts.join('\n').trim() || '(no license file in the package)'}\n`);
  }
  const sorted = [...entries.keys()].sort().map((k) => entries.get(k));
  return `Third-party software bundled in the navarch GitHub Action (dist/action).\n\n${sorted.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

/** Builds the bundle into `outdir` (created or emptied). */
export async function buildAction(outdir = OUT) {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'src/action/main.ts' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    splitting: true,
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    // Class names appear in error names and messages; keep them readable.
    keepNames: true,
    legalComments: 'none',
    // node_modules may be a link to a shared install; paths must not depend on where it lives.
    preserveSymlinks: true,
    metafile: true,
    logLevel: 'warning',
    define: { NAVARCH_VERSION: JSON.stringify(pkg.version) },
    // CommonJS dependencies call require() and read __filename/__dirname, which ESM does not define.
    banner: {
      js:
        "import{createRequire as __navarchRequire}from'node:module';import{fileURLToPath as __navarchPath}from'node:url';" +
        "import{dirname as __navarchDirname}from'node:path';const require=__navarchRequire(import.meta.url);" +
        'const __filename=__navarchPath(import.meta.url);const __dirname=__navarchDirname(__filename);',
    },
    plugins: [gcpPlugin],
  });
  await writeFile(join(outdir, 'licenses.txt'), await licenses(result.metafile));
  return result;
}

async function listFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath ?? entry.path, entry.name)).split(sep).join('/'));
  }
  return out.sort();
}

/** Builds into a temporary directory and lists how it differs from `dir` (empty: identical). */
export async function compareWithBuild(dir = OUT) {
  const tmp = await mkdtemp(join(tmpdir(), 'navarch-action-build-'));
  try {
    await buildAction(tmp);
    const built = await listFiles(tmp);
    const committed = await listFiles(dir);
    const problems = [];
    for (const f of built) if (!committed.includes(f)) problems.push(`missing: ${f}`);
    for (const f of committed) if (!built.includes(f)) problems.push(`not built from the sources (stale): ${f}`);
    for (const f of built.filter((x) => committed.includes(x))) {
      const [a, b] = await Promise.all([readFile(join(tmp, f)), readFile(join(dir, f))]);
      if (!a.equals(b)) problems.push(`differs: ${f}`);
    }
    return problems;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  if (process.argv.includes('--check')) {
    const problems = await compareWithBuild();
    if (problems.length) {
      console.error(`dist/action is not what the sources build; run \`npm run build:action\` and commit the result:\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
    console.log('dist/action matches the sources.');
  } else {
    // Build beside, then swap, so a failed build never leaves a half-written dist/action.
    const tmp = `${OUT}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(dirname(OUT), { recursive: true });
    const result = await buildAction(tmp);
    await rm(OUT, { recursive: true, force: true });
    await rename(tmp, OUT);
    const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    console.log(`Built dist/action (${(bytes / 1024 / 1024).toFixed(1)} MB in ${Object.keys(result.metafile.outputs).length} files).`);
  }
}
