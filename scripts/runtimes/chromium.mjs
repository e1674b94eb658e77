// Chromium (the system's, else the one in the pinned devDependency @sparticuz/chromium: see chromium-binary.mjs),
// driven by playwright-core: the checks and examples of browser.mjs. The browser is launched with no network
// features, profile and temporary files under .cache/runtimes/chromium/home.
import { chromium } from 'playwright-core';
import { adoptSandbox, runInBrowser, TIMEOUT_MS } from './browser.mjs';
import { locateChromium } from './chromium-binary.mjs';
import { sandboxEnv } from './env.mjs';
import { runThreadsInBrowser } from './threads-browser.mjs';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

/** Runs the checks (page and worker, both loadings), the two browser examples and the thread pool (threads-browser.mjs) in Chromium. */
export async function runChromium() {
  const { path, source } = await locateChromium();
  const env = sandboxEnv('chromium');
  adoptSandbox(env);
  const browser = await chromium.launch({ executablePath: path, args: ARGS, env, timeout: TIMEOUT_MS });
  const notes = [`chromium ${browser.version()} from ${source}: ${path}`];
  const result = await runInBrowser('chromium', browser); // closes the browser when it is done
  const threaded = await chromium.launch({ executablePath: path, args: ARGS, env, timeout: TIMEOUT_MS });
  try {
    return { ...result, builds: [...(result.builds ?? []), ...(await runThreadsInBrowser(threaded))], notes };
  } finally {
    await threaded.close();
  }
}
