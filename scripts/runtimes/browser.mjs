// What every browser run does (chromium.mjs, firefox.mjs): the checks in a page and in a module Web Worker, each
// with the embedded bytes and with `compileStreaming` of kernels.wasm, then the two browser examples. Pages come
// from serve.mjs on 127.0.0.1.
import { serveProject } from './serve.mjs';

const LIB = '/dist/browser/narrowgt.js';
const WASM = '/dist/kernels.wasm';
export const TIMEOUT_MS = 60_000;

async function suiteInPage(page, origin, loading) {
  return page.evaluate(async ({ suiteUrl, libUrl, wasmUrl, loading }) => {
    const { runBrowserChecks } = await import(suiteUrl);
    return runBrowserChecks(libUrl, wasmUrl, loading);
  }, { suiteUrl: `${origin}/dist/test/runtimes/browser-suite.js`, libUrl: `${origin}${LIB}`, wasmUrl: `${origin}${WASM}`, loading });
}

async function suiteInWorker(page, origin, loading) {
  const query = new URLSearchParams({ loading, lib: `${origin}${LIB}`, wasm: `${origin}${WASM}` });
  const reply = await page.evaluate((url) => new Promise((resolve) => {
    const worker = new Worker(url, { type: 'module' });
    worker.onmessage = (event) => { resolve(event.data); worker.terminate(); };
    worker.onerror = (event) => { resolve({ error: `worker error: ${event.message}` }); worker.terminate(); };
  }), `${origin}/dist/test/runtimes/browser-worker.js?${query}`);
  if (reply.error) throw new Error(reply.error);
  return reply.outcomes;
}

async function exampleText(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('output')?.textContent, null, { timeout: TIMEOUT_MS });
  return page.$eval('output', (el) => el.textContent);
}

/**
 * Runs the checks and examples in `browser` (a launched playwright Browser), naming the targets `<name> …`;
 * closes the browser. Resolves to { suites, examples }.
 */
export async function runInBrowser(name, browser) {
  const server = await serveProject();
  const suites = [], examples = [];
  try {
    const page = await browser.newPage();
    const messages = [];
    page.on('console', (m) => messages.push(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`[pageerror] ${e.message}`));
    page.setDefaultTimeout(TIMEOUT_MS);
    const log = () => [...messages.splice(0), ...server.misses.splice(0).map((p) => `[not served] ${p}`)].join('\n');
    for (const [where, run] of [['page', suiteInPage], ['worker', suiteInWorker]]) {
      for (const loading of ['embedded', 'streaming']) {
        const target = `${name} ${where} (${loading})`;
        await page.goto(`${server.origin}/`); // a fresh document: init() is once per module instance
        server.hits.splice(0);
        try {
          const outcomes = await run(page, server.origin, loading);
          // Each loading must take its own path: only 'streaming' fetches kernels.wasm.
          const fetched = server.hits.includes(WASM);
          const error = fetched !== (loading === 'streaming') ? `kernels.wasm was ${fetched ? '' : 'not '}fetched` : undefined;
          suites.push({ target, outcomes, error, log: log() });
        } catch (e) {
          suites.push({ target, outcomes: [], error: String(e?.message ?? e), log: log() });
        }
      }
    }
    for (const path of ['/examples/browser/index.html', '/examples/browser/worker.html']) {
      let text = '';
      try {
        text = await exampleText(page, `${server.origin}${path}`);
      } catch (e) {
        messages.push(String(e?.message ?? e));
      }
      examples.push({ target: `${name} ${path.slice(1)}`, text, log: log() });
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { suites, examples };
}

/** Points this process's HOME, TMPDIR and XDG_* at the sandbox: playwright puts profiles under os.tmpdir(). */
export function adoptSandbox(env) {
  for (const key of ['HOME', 'TMPDIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR']) {
    process.env[key] = env[key];
  }
}
