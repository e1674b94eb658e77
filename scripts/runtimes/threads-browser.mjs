// Threads in a browser: serves a cross-origin-isolated page (COOP same-origin + COEP require-corp) that loads the
// single-file build dist/browser/narrowgt.js, calls init({ threads: 2 }) and compares a GEMM and an attention layer
// on 1 and 2 threads bit for bit (the page's main thread spins while the worker finishes), then the same page
// without the headers, where threadInfo() must say 1 thread. chromium.mjs runs it in the cross-runtime suite
// (targets 'chromium threads (cross-origin isolated)' and 'chromium threads (not isolated)'); by hand, after `npm run build`:
//   node scripts/runtimes/threads-browser.mjs
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { locateChromium } from './chromium-binary.mjs';
import { pathToFileURL } from 'node:url';

const bundle = readFileSync(new URL('../../dist/browser/narrowgt.js', import.meta.url));
const page = `<!doctype html><script type="module">
import * as g from '/narrowgt.js';
const out = {};
try {
  await g.init(undefined, { threads: 2 });
  out.info = g.threadInfo();
  out.isolated = globalThis.crossOriginIsolated;
  const r = g.rng(3), n = 300;
  const a = g.DenseMatrix.from(r.fillNormal(new Float32Array(n * n)), n, n, 'f32');
  const rows = [], cols = [];
  for (let i = 0; i < 3000; i++) for (let t = 0; t < 8; t++) { rows.push(i); cols.push(r.int(3000)); }
  const pattern = g.csrFromEdges(rows, cols, { numNodes: 3000, selfLoops: true });
  const q = g.DenseMatrix.from(r.fillNormal(new Float32Array(3000 * 16)), 3000, 16, 'f32');
  const run = () => [g.matmul(a, a).data.slice(), g.sparseAttention(q, q, q, pattern, { scale: 0.25 }).output.data.slice()];
  g.useThreads(1); const one = run();
  g.useThreads(out.info.threads); const two = run();
  out.same = one.every((x, i) => x.length === two[i].length && x.every((v, j) => Object.is(v, two[i][j])));
} catch (e) { out.error = String(e && e.stack || e); }
window.__result = out;
</script>`;

function serve(isolated) {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
      if (req.url === '/narrowgt.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(bundle);
      else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Both pages in `browser`: one verdict each ({ target, log, problems, summary }, as run.mjs prints them). */
export async function runThreadsInBrowser(browser, name = 'chromium') {
  const verdicts = [];
  for (const isolated of [true, false]) {
    const server = await serve(isolated);
    const tab = await browser.newPage();
    let result;
    try {
      await tab.goto(`http://127.0.0.1:${server.address().port}/`);
      result = await (await tab.waitForFunction(() => window.__result, null, { timeout: 60000 })).jsonValue();
    } catch (e) {
      result = { error: String(e?.stack ?? e) };
    } finally {
      await tab.close();
      server.close();
    }
    const problems = [];
    if (result.error) problems.push(result.error);
    else if (result.same !== true) problems.push('2 threads gave other bits than 1');
    else if (isolated && !(result.info.threads === 2 && result.info.sharedMemory)) problems.push(`threadInfo() is ${JSON.stringify(result.info)} on an isolated page`);
    else if (!isolated && !(result.info.threads === 1 && /SharedArrayBuffer|crossOriginIsolated/.test(result.info.reason))) problems.push(`threadInfo() is ${JSON.stringify(result.info)} on a page without isolation`);
    verdicts.push({
      target: `${name} threads (${isolated ? 'cross-origin isolated' : 'not isolated'})`, log: JSON.stringify(result), problems,
      summary: isolated ? '2 threads over a shared memory, GEMM and attention the same bits as 1 thread' : `1 thread, and why: ${result.info?.reason}`,
    });
  }
  return verdicts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { path } = await locateChromium();
  const browser = await chromium.launch({ executablePath: path, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  let failed = false;
  try {
    for (const v of await runThreadsInBrowser(browser, `chromium ${browser.version()}`)) {
      failed ||= v.problems.length > 0;
      console.log(`${v.problems.length ? 'FAIL' : 'PASS'} ${v.target}: ${v.problems.join('; ') || v.summary} ${v.log}`);
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}
