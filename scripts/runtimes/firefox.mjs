// Firefox (SpiderMonkey, the third engine family beside V8 and JavaScriptCore): Debian's firefox-esr, or
// NARROWGT_FIREFOX, driven over WebDriver BiDi (bidi.mjs); the checks and examples of browser.mjs. Firefox is a system package, not an npm one: where it is not
// installed the run reports the check as skipped (.ci/run installs it).
import { existsSync } from 'node:fs';
import { launchFirefoxBidi } from './bidi.mjs';
import { runInBrowser, TIMEOUT_MS } from './browser.mjs';
import { sandboxEnv } from './env.mjs';

const CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/** The Firefox binary to drive, or null. */
export function locateFirefox() {
  const chosen = process.env.NARROWGT_FIREFOX;
  if (chosen) return existsSync(chosen) ? chosen : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Runs the checks and examples in Firefox, or says why it cannot. */
export async function runFirefox() {
  const path = locateFirefox();
  if (!path) {
    const where = process.env.NARROWGT_FIREFOX ? `NARROWGT_FIREFOX=${process.env.NARROWGT_FIREFOX} does not exist` : `neither ${CANDIDATES.join(' nor ')} exists`;
    return { skipped: `Firefox is not installed (${where}): apt-get install -y firefox-esr, as .ci/run does` };
  }
  const env = { ...sandboxEnv('firefox'), MOZ_HEADLESS: '1' };
  const browser = await launchFirefoxBidi(path, env, env.HOME, TIMEOUT_MS);
  const notes = [`firefox ${browser.version()}: ${path} (WebDriver BiDi)`];
  return { ...(await runInBrowser('firefox', browser)), notes };
}
