// Cloudflare workerd: bundles the checks (dist/test/runtimes/workerd-suite.js) and the example Worker
// (examples/cloudflare-worker) with esbuild as wrangler does, .wasm imports kept as CompiledWasm
// modules, and runs `workerd test` on a generated config: the suite's test() handler, and a test worker
// that fetches from the example through a service binding. The compatibility date is the example's.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, parseOutcomes, root, sandboxEnv, workDir } from './env.mjs';

const EXAMPLE_DIR = join(root, 'examples', 'cloudflare-worker');

/** Bundles `entry` into `outdir`/worker.js; each imported .wasm is copied beside it and imported by name. */
async function bundleWorker(entry, outdir) {
  await build({
    absWorkingDir: root,
    entryPoints: { worker: entry },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    loader: { '.wasm': 'copy' },
    assetNames: '[name]',
    logLevel: 'silent',
  });
}

function wranglerSetting(key) {
  const m = new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(readFileSync(join(EXAMPLE_DIR, 'wrangler.toml'), 'utf8'));
  if (!m) throw new Error(`workerd.mjs: examples/cloudflare-worker/wrangler.toml has no ${key}`);
  return m[1];
}

// Fetches from the example Worker and prints its one line of output for run.mjs to judge.
const EXAMPLE_TEST = `export default {
  async test(controller, env) {
    const response = await env.EXAMPLE.fetch('http://example/');
    const text = await response.text();
    console.log('narrowgt-example ' + JSON.stringify({ status: response.status, text }));
    if (response.status !== 200) throw new Error('example answered ' + response.status + ': ' + text);
  },
};
`;

function config(compatibilityDate) {
  const worker = (dir, extra = '') => `(
    modules = [
      (name = "worker.js", esModule = embed "${dir}/worker.js"),
      (name = "kernels.wasm", wasm = embed "${dir}/kernels.wasm"),
    ],
    compatibilityDate = "${compatibilityDate}",${extra}
  )`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "checks", worker = ${worker('checks')}),
    (name = "example", worker = ${worker('example')}),
    (name = "example-test", worker = (
      modules = [(name = "test.js", esModule = embed "example-test.js")],
      compatibilityDate = "${compatibilityDate}",
      bindings = [(name = "EXAMPLE", service = "example")],
    )),
  ],
);
`;
}

/** Runs the checks and the example in workerd. */
export async function runWorkerd() {
  const env = sandboxEnv('workerd');
  const dir = join(workDir('workerd'), 'bundle');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await bundleWorker('dist/test/runtimes/workerd-suite.js', join(dir, 'checks'));
  await bundleWorker(join(EXAMPLE_DIR, wranglerSetting('main')), join(dir, 'example'));
  writeFileSync(join(dir, 'example-test.js'), EXAMPLE_TEST);
  writeFileSync(join(dir, 'config.capnp'), config(wranglerSetting('compatibility_date')));
  const args = ['test', join(dir, 'config.capnp')];
  const r = spawnSync(bin('workerd'), args, { cwd: dir, env, encoding: 'utf8', timeout: 180_000, maxBuffer: 16 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const log = `$ workerd ${args.join(' ')}\n${output}${r.error ? `\n${r.error.message}` : ''}`;
  const exampleLine = output.split('\n').find((l) => l.startsWith('narrowgt-example '));
  const example = exampleLine ? JSON.parse(exampleLine.slice('narrowgt-example '.length)) : { text: '' };
  const refusalLine = output.split('\n').find((l) => l.startsWith('narrowgt-workerd-refusal '));
  const refusal = refusalLine ? JSON.parse(refusalLine.slice('narrowgt-workerd-refusal '.length)) : '(no line)';
  const refused = /^BackendError: init: WebAssembly refused the kernels \(CompileError: .*disallowed/.test(refusal);
  return {
    builds: [{
      target: "workerd init() without a module, fallback 'error'", log,
      problems: refused ? [] : [`expected a BackendError saying WebAssembly refused the kernels, got: ${refusal}`],
      summary: 'BackendError: WebAssembly refused the kernels (code generation disallowed)',
    }],
    suites: [{ target: 'workerd', exitCode: r.status, outcomes: parseOutcomes(output), log }],
    examples: [{ target: 'workerd examples/cloudflare-worker', exitCode: r.status, text: example.text, log }],
  };
}
