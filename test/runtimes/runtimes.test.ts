// The cross-runtime suite in `npm test`: for each runtime, scripts/runtimes/run.mjs runs the checks of
// checks.ts, the runtime's README example and (Node, Deno, Bun, Chromium) the thread pool's check in a child process; a runtime that fails to start, skips
// a check or a target, or disagrees with Node fails its test here. Only Firefox, a system package, may be absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// Every target each runtime must report as passed, in order (run.mjs prints `narrowgt-runtime PASS <target>:`).
// `optional`: a system package (not an npm one) that may be absent; then run.mjs prints `SKIP <runtime>: <why>` and
// the test is skipped with that reason. Every other runtime is required.
const RUNTIMES: { runtime: string; title: string; targets: string[]; optional?: boolean }[] = [
  { runtime: 'node', title: 'Node 20 (embedded bytes)', targets: ['node', 'node examples/node/main.mjs', 'node threads'] },
  { runtime: 'deno', title: 'Deno 2 (embedded bytes, no permissions)', targets: ['deno', 'deno examples/deno/main.ts', 'deno threads'] },
  { runtime: 'bun', title: 'Bun 1 (embedded bytes)', targets: ['bun', 'bun examples/bun/main.ts', 'bun threads'] },
  { runtime: 'workerd', title: 'Cloudflare workerd (CompiledWasm module binding)', targets: ['workerd', 'workerd examples/cloudflare-worker', "workerd init() without a module, fallback 'error'"] },
  {
    runtime: 'wrangler',
    title: 'Cloudflare wrangler on the example (deploy --dry-run, a dev request)',
    targets: ['wrangler dev examples/cloudflare-worker', 'wrangler deploy --dry-run examples/cloudflare-worker'],
  },
  {
    runtime: 'chromium',
    title: 'Chromium page and module Web Worker (embedded bytes and compileStreaming)',
    targets: ['chromium page (embedded)', 'chromium page (streaming)', 'chromium worker (embedded)', 'chromium worker (streaming)',
      'chromium examples/browser/index.html', 'chromium examples/browser/worker.html',
      'chromium threads (cross-origin isolated)', 'chromium threads (not isolated)'],
  },
  {
    runtime: 'firefox',
    title: 'Firefox (SpiderMonkey) page and module Web Worker over WebDriver BiDi (embedded bytes and compileStreaming)',
    targets: ['firefox page (embedded)', 'firefox page (streaming)', 'firefox worker (embedded)', 'firefox worker (streaming)',
      'firefox examples/browser/index.html', 'firefox examples/browser/worker.html'],
    optional: true,
  },
];

for (const { runtime, title, targets, optional } of RUNTIMES) {
  test(`${title}: every cross-runtime check passes and matches Node, and the README example runs`, (t) => {
    const r = spawnSync(process.execPath, ['scripts/runtimes/run.mjs', runtime], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
    const lines = output.split('\n').filter((l) => l.startsWith('narrowgt-runtime '));
    for (const line of lines) t.diagnostic(line.slice('narrowgt-runtime '.length));
    assert.equal(r.status, 0, `scripts/runtimes/run.mjs ${runtime} exited with ${r.status}:\n${output}`);
    const skipped = lines.find((l) => l.startsWith(`narrowgt-runtime SKIP ${runtime}: `));
    if (skipped && optional) {
      t.skip(skipped.slice(`narrowgt-runtime SKIP ${runtime}: `.length));
      return;
    }
    const passed = lines.filter((l) => l.startsWith('narrowgt-runtime PASS ')).map((l) => l.slice('narrowgt-runtime PASS '.length).split(':')[0]);
    assert.deepEqual(passed, targets, output);
  });
}
