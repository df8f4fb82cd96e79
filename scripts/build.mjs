#!/usr/bin/env node
// Compiles the sources the command runs (sim/, nodes/, reports/, gen/) into dist/, one JavaScript
// module per TypeScript module, with the worker threads' .mjs entry points beside them. esbuild
// only strips the types (tsc --noEmit checks them), so a build takes about a second: the tests
// rebuild before they run (test/global-setup.ts), and no stale build can be tested.
// Packages made of many small ES modules are bundled into one file each (dist/vendor/), and the
// compiled modules import them from there: loading zod's 95 modules one by one took longer than
// running a short scenario.
// Only files whose bytes changed are written (each by a rename, so a process starting meanwhile
// never reads half a module), and files whose source is gone are removed.
// With --types (npm run build, and so `npm ci` and `npm pack`), tsc also writes the declaration
// files of the package API (sim/index.ts and what it reaches) beside the modules: the package's
// types. It takes tens of seconds from cold (a few when incremental), so the tests' rebuild skips it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceFolders = ['sim', 'nodes', 'reports', 'gen'];
const outFolder = join(root, 'dist');
/** dist/vendor/<name>.js: the package, bundled. */
const vendorPackages = new Map([
  ['zod', 'zod'],
  ['d3', 'd3'],
  ['@bufbuild/protobuf/wire', 'protobuf-wire'],
  ['yaml', 'yaml'],
]);
/** Where a bundle starts when not at the package itself: yaml's ES module build (its Node build is CommonJS). */
const vendorSources = new Map([['yaml', './node_modules/yaml/browser/index.js']]);

/** Keeps every import as it is, except a vendor package's, which goes to its bundle in dist/vendor/. */
const importsToVendorBundles = {
  name: 'imports-to-vendor-bundles',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const vendor = vendorPackages.get(args.path);
      if (vendor === undefined) return { path: args.path, external: true };
      const importerOutput = join(outFolder, relative(root, dirname(args.importer)));
      const path = relative(importerOutput, join(outFolder, 'vendor', `${vendor}.js`)).split(sep).join('/');
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

function buildVendorBundle(name, file) {
  return build({
    stdin: { contents: `export * from '${vendorSources.get(name) ?? name}';`, resolveDir: root, loader: 'js' },
    outfile: join(outFolder, 'vendor', `${file}.js`),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
}

function filesUnder(folder, keep) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** Writes `bytes` to `file` unless it already holds them; true when it wrote. */
function writeIfChanged(file, bytes) {
  if (existsSync(file) && Buffer.compare(readFileSync(file), bytes) === 0) return false;
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
  return true;
}

/** A declaration file of a module still built, or tsc's record of them: kept, they are tsc's to update. */
function isCurrentDeclaration(file, outputs) {
  if (file === typesBuildInfo) return true;
  return file.endsWith('.d.ts') && outputs.has(`${file.slice(0, -'.d.ts'.length)}.js`);
}

const typesBuildInfo = join(outFolder, 'types.tsbuildinfo');

/** The declaration files of the package API, by tsc (tsconfig.types.json), incrementally. */
export function buildTypes() {
  // tsc's record says what it wrote, not what is still there: without the entry's declarations, start afresh.
  if (!existsSync(join(outFolder, 'sim', 'index.d.ts'))) rmSync(typesBuildInfo, { force: true });
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.types.json')], { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc could not write the declaration files:\n${tsc.stdout}${tsc.stderr}`);
}

export async function buildDist() {
  const folders = sourceFolders.map((folder) => join(root, folder));
  if (!existsSync(join(root, 'gen', 'clustersim'))) throw new Error('gen/ is missing: run `npm run proto` first');
  const typescript = folders.flatMap((folder) => filesUnder(folder, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')));
  const result = await build({
    entryPoints: typescript,
    outdir: outFolder,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Bundling with every import external compiles each module alone and lets the plugin rewrite imports.
    bundle: true,
    plugins: [importsToVendorBundles],
    write: false,
    logLevel: 'warning',
  });
  const vendors = await Promise.all([...vendorPackages].map(([name, file]) => buildVendorBundle(name, file)));
  const outputs = new Map([result, ...vendors].flatMap((built) => built.outputFiles.map((file) => [file.path, Buffer.from(file.contents)])));
  // The worker threads' entry points are JavaScript already; they find the compiled modules beside them.
  for (const file of folders.flatMap((folder) => filesUnder(folder, (name) => name.endsWith('.mjs')))) {
    outputs.set(join(outFolder, relative(root, file)), readFileSync(file));
  }
  let written = 0;
  for (const [file, bytes] of outputs) if (writeIfChanged(file, bytes)) written++;
  let removed = 0;
  for (const file of filesUnder(outFolder, () => true)) {
    if (!outputs.has(file) && !isCurrentDeclaration(file, outputs)) {
      rmSync(file);
      removed++;
    }
  }
  return { modules: outputs.size, written, removed };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { modules, written, removed } = await buildDist();
  const types = process.argv.includes('--types');
  if (types) buildTypes();
  if (!process.argv.includes('--quiet'))
    console.log(`dist/: ${modules} modules${types ? ' and their declarations' : ''}, ${written} written, ${removed} removed in ${Math.round(performance.now() - started)} ms`);
}
