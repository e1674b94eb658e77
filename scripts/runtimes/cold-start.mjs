// Cold start, measured (never asserted): `import` of an entry plus `init()`, each in a fresh process, in Node, Deno
// and Bun; and in workerd, where clocks stand still while a Worker runs, the wall time of `workerd test` on a Worker
// that imports the library and calls init(kernels), minus the same for a Worker that imports nothing.
//   node scripts/runtimes/cold-start.mjs [--runs N] [runtime…]    (after `npm run build`; default 7 runs)
// Prints one line per runtime and entry: the median and the range over the runs, in ms.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bin, root, sandboxEnv, workDir } from './env.mjs';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv.splice(runsAt, 2)[1]) : 7;
const asked = argv.length ? argv : ['node', 'deno', 'bun', 'workerd'];

const url = (path) => pathToFileURL(join(root, path)).href;
// What is imported, and how init() gets the kernels there.
const ENTRIES = [
  { name: 'narrowgt (dist/src/index.js)', url: url('dist/src/index.js'), init: 'm.init()' },
  { name: 'narrowgt/slim + kernels.wasm bytes', url: url('dist/src/slim.js'), init: 'm.init(wasm)' },
  { name: 'narrowgt/browser (one file)', url: url('dist/browser/narrowgt.js'), init: 'm.init()' },
  { name: 'ml-matrix alone', url: url('node_modules/ml-matrix/matrix.mjs'), init: null },
];

/** A module that times its own import and init and prints {importMs, initMs}. */
function probe(entry) {
  return `const wasm = ${entry.init === 'm.init(wasm)' ? `new Uint8Array(await (await fetch(${JSON.stringify(url('dist/kernels.wasm'))}).catch(() => null))?.arrayBuffer?.() ?? (await import('node:fs')).readFileSync(new URL(${JSON.stringify(url('dist/kernels.wasm'))})))` : 'null'};
const t0 = performance.now();
const m = await import(${JSON.stringify(entry.url)});
const t1 = performance.now();
${entry.init ? `const backend = await ${entry.init};` : 'const backend = null;'}
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1, backend }));
`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

function local(runtime) {
  const env = sandboxEnv(`cold-${runtime}`);
  const dir = workDir(`cold-${runtime}`);
  for (const entry of ENTRIES) {
    const file = join(dir, `probe-${ENTRIES.indexOf(entry)}.mjs`);
    writeFileSync(file, probe(entry));
    const command = runtime === 'node' ? [process.execPath, [file]]
      : runtime === 'deno' ? [bin('deno'), ['run', '--allow-read', '--no-prompt', '--no-lock', file]]
        : [bin('bun'), [file]];
    const got = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(command[0], command[1], { cwd: root, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${runtime} ${entry.name}: ${r.stderr}`);
      got.push(JSON.parse(r.stdout.trim().split('\n').pop()));
    }
    const total = got.map((g) => g.importMs + g.initMs);
    console.log(`${runtime.padEnd(7)} ${entry.name.padEnd(36)} import ${fmt(got.map((g) => g.importMs))}` +
      (entry.init ? `, + init() ${fmt(got.map((g) => g.initMs))} = ${fmt(total)} [${got[0].backend}]` : ''));
  }
}

async function workerd() {
  const env = sandboxEnv('cold-workerd');
  const dir = workDir('cold-workerd');
  const workers = {
    empty: 'export default { async test() {} };',
    narrowgt: "import { init } from 'narrowgt';\nimport kernels from 'narrowgt/kernels.wasm';\nexport default { async test() { if (await init(kernels) !== 'wasm-simd') throw new Error('js'); } };",
    slim: "import { init } from 'narrowgt/slim';\nimport kernels from 'narrowgt/kernels.wasm';\nexport default { async test() { if (await init(kernels) !== 'wasm-simd') throw new Error('js'); } };",
  };
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'examples/cloudflare-worker/wrangler.toml'), 'utf8'))[1];
  const times = {};
  for (const [name, code] of Object.entries(workers)) {
    const out = join(dir, name);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'entry.js'), code);
    await build({ absWorkingDir: root, entryPoints: { worker: join(out, 'entry.js') }, outdir: out, bundle: true, format: 'esm',
      platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['browser', 'module', 'main'], target: 'es2022',
      loader: { '.wasm': 'copy' }, assetNames: '[name]', logLevel: 'silent' });
    const wasm = name === 'empty' ? '' : ', (name = "kernels.wasm", wasm = embed "kernels.wasm")';
    writeFileSync(join(out, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = (modules = [(name = "worker.js", esModule = embed "worker.js")${wasm}], compatibilityDate = "${date}"))]);
`);
    times[name] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = spawnSync(bin('workerd'), ['test', join(out, 'config.capnp')], { cwd: out, env, encoding: 'utf8' });
      times[name].push(performance.now() - t);
      if (r.status !== 0) throw new Error(`workerd ${name}: ${r.stdout}${r.stderr}`);
    }
  }
  const base = median(times.empty);
  console.log(`workerd empty Worker (workerd test)                  ${fmt(times.empty)}`);
  for (const name of ['narrowgt', 'slim']) {
    console.log(`workerd ${(name === 'slim' ? 'narrowgt/slim' : 'narrowgt') + ' + init(kernels)'}`.padEnd(45) +
      ` ${fmt(times[name])}; minus the empty Worker: ${(median(times[name]) - base).toFixed(0)} ms`);
  }
}

for (const runtime of asked) {
  if (runtime === 'workerd') await workerd();
  else local(runtime);
}
