// Cloudflare's own tool on the example: `wrangler deploy --dry-run` (bundles it as a deploy would, uploads
// nothing) and `wrangler dev` answering one request, on a copy of examples/cloudflare-worker under
// .cache/runtimes/wrangler/app whose node_modules/narrowgt is this checkout. wrangler (a pinned devDependency)
// requires Node 22, so it runs under the Deno devDependency (its Node compatibility; Bun's fetch cannot reach
// `wrangler dev`'s Worker). Metrics off; `wrangler dev`'s lookup of workers.cloudflare.com fails offline and is ignored.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bin, root, sandboxEnv, workDir } from './env.mjs';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../dist/src/runtime/kernels-wasm.generated.js';

const WRANGLER = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const DEV_TIMEOUT_MS = 90_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

function prepareApp() {
  const app = join(workDir('wrangler'), 'app');
  rmSync(app, { recursive: true, force: true });
  cpSync(join(root, 'examples', 'cloudflare-worker'), app, { recursive: true });
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(root, join(app, 'node_modules', 'narrowgt'), 'dir');
  return app;
}

const wranglerArgs = (...args) => ['run', '--allow-all', '--no-prompt', WRANGLER, ...args];

function dryRun(app, env) {
  const out = join(workDir('wrangler'), 'out');
  rmSync(out, { recursive: true, force: true });
  const args = wranglerArgs('deploy', '--dry-run', '--outdir', out);
  const r = spawnSync(bin('deno'), args, { cwd: app, env, encoding: 'utf8', timeout: 180_000, maxBuffer: 16 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const log = `$ deno ${args.join(' ')}\n${output}${r.error ? `\n${r.error.message}` : ''}`;
  const problems = [];
  if (r.status !== 0) problems.push(`exited with ${r.status}`);
  if (/WARNING|ERROR/.test(output)) problems.push('wrangler printed a warning or an error');
  const files = existsSync(out) ? readdirSync(out) : [];
  const wasm = files.find((f) => f.endsWith('kernels.wasm'));
  if (!wasm) problems.push(`no kernels.wasm module among the bundle's files (${files.join(', ')})`);
  else if (readFileSync(join(out, wasm)).length !== readFileSync(join(root, 'dist', 'kernels.wasm')).length) problems.push(`${wasm} is not dist/kernels.wasm`);
  const code = files.includes('index.js') ? readFileSync(join(out, 'index.js'), 'utf8') : '';
  if (!code) problems.push('no index.js in the bundle');
  else if (code.includes(KERNELS_WASM_BASE64.slice(0, 4096)) || code.includes(KERNELS_RELAXED_WASM_BASE64.slice(0, 4096))) problems.push('the bundle embeds the kernels as base64 too (narrowgt/slim was not used)');
  const upload = /Total Upload: ([^\n]+)/.exec(output)?.[1] ?? '?';
  return { target: 'wrangler deploy --dry-run examples/cloudflare-worker', problems, summary: `bundled, kernels.wasm as a module, upload ${upload}`, log };
}

async function dev(app, env) {
  const [port, inspector] = [await freePort(), await freePort()];
  const args = wranglerArgs('dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--log-level', 'warn');
  const child = spawn(bin('deno'), args, { cwd: app, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let text = '', status = 0;
  const deadline = Date.now() + DEV_TIMEOUT_MS;
  try {
    while (Date.now() < deadline && child.exitCode === null && !text) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
        status = response.status;
        text = (await response.text()).trim();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  } finally {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  const log = `$ deno ${args.join(' ')}\n${output}${status && status !== 200 ? `\nHTTP ${status}` : ''}${text ? '' : `\nno answer within ${DEV_TIMEOUT_MS / 1000} s`}`;
  return { target: 'wrangler dev examples/cloudflare-worker', exitCode: status === 200 || !text ? 0 : status, text, log };
}

/** `wrangler deploy --dry-run` and a `wrangler dev` request on the example. */
export async function runWrangler() {
  const env = { ...sandboxEnv('wrangler'), WRANGLER_SEND_METRICS: 'false', CI: '1' };
  const app = prepareApp();
  const build = dryRun(app, env);
  const example = await dev(app, env);
  return { suites: [], builds: [build], examples: [example] };
}
