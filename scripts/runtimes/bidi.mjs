// A minimal WebDriver BiDi client for a stock Firefox, with the small page interface browser.mjs uses (goto,
// evaluate, waitForFunction, $eval, on('console'|'pageerror'), setDefaultTimeout). playwright-core's own BiDi
// support ('moz-firefox') sends commands that Firefox ESR does not know yet (emulation.setMediaFeaturesOverride),
// so the runs speak the protocol directly: session.new, browsingContext.getTree / navigate, script.evaluate, and
// the log.entryAdded event. Values cross as JSON strings.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Node 20 has WebSocket only behind a flag; playwright-core ships `ws`, which speaks the same onopen/onmessage API.
const WebSocketImpl = globalThis.WebSocket ?? require('playwright-core/lib/utilsBundle').ws;

// Preferences of the throw-away profile: no updates, telemetry, first-run pages or background connections.
const PREFS = {
  'app.update.disabledForTesting': true, 'browser.shell.checkDefaultBrowser': false, 'browser.startup.page': 0,
  'browser.startup.homepage_override.mstone': 'ignore', 'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false, 'network.connectivity-service.enabled': false,
  'network.captive-portal-service.enabled': false, 'browser.safebrowsing.update.enabled': false,
  'extensions.update.enabled': false, 'browser.newtabpage.enabled': false, 'remote.prefs.recommended': true,
};

/** Launches `executable` headless with a fresh profile under `home`; resolves to { newPage(), version(), close() }. */
export async function launchFirefoxBidi(executable, env, home, timeoutMs) {
  const profile = join(home, 'firefox-profile');
  mkdirSync(profile, { recursive: true });
  writeFileSync(join(profile, 'user.js'), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
  const child = spawn(executable, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0'],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let startup = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`firefox: no WebDriver BiDi address within ${timeoutMs} ms:\n${startup}`)), timeoutMs);
    const look = (chunk) => {
      startup += chunk;
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(startup);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stderr.on('data', look);
    child.stdout.on('data', look);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`firefox exited with ${code} before listening:\n${startup}`)); });
  });
  const socket = new WebSocketImpl(`${url}/session`);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = (e) => reject(new Error(`firefox: ${e.message ?? 'WebSocket error'}`)); });
  let nextId = 1;
  const waiting = new Map();
  const listeners = [];
  socket.onmessage = (event) => {
    const message = JSON.parse(typeof event.data === 'string' ? event.data : event.data.toString());
    if (message.id !== undefined && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.type === 'error') reject(new Error(`${message.error}: ${message.message}`));
      else resolve(message.result);
    } else if (message.type === 'event') {
      for (const l of listeners) l(message);
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    socket.send(JSON.stringify({ id, method, params }));
  });
  const session = await send('session.new', { capabilities: {} });
  const version = `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
  await send('session.subscribe', { events: ['log.entryAdded'] });

  return {
    version: () => version,
    async newPage() {
      const { contexts } = await send('browsingContext.getTree', {});
      const context = contexts[0].context;
      let timeout = timeoutMs;
      const handlers = { console: [], pageerror: [] };
      listeners.push((event) => {
        if (event.method !== 'log.entryAdded' || event.params.source?.context !== context) return;
        const entry = event.params;
        if (entry.type === 'javascript') for (const h of handlers.pageerror) h({ message: entry.text });
        else for (const h of handlers.console) h({ type: () => entry.method ?? entry.level, text: () => entry.text });
      });
      const evaluate = async (fn, arg) => {
        const expression = `(async () => JSON.stringify(await (${fn})(${JSON.stringify(arg)}) ?? null))()`;
        const reply = await Promise.race([
          send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' }),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`evaluate: timed out after ${timeout} ms`)), timeout)),
        ]);
        if (reply.type === 'exception') throw new Error(reply.exceptionDetails?.text ?? 'exception in the page');
        return JSON.parse(reply.result.value);
      };
      return {
        on: (name, handler) => handlers[name]?.push(handler),
        setDefaultTimeout: (ms) => { timeout = ms; },
        goto: (target) => send('browsingContext.navigate', { context, url: target, wait: 'complete' }),
        evaluate,
        async waitForFunction(fn, _arg, { timeout: ms = timeout } = {}) {
          const deadline = Date.now() + ms;
          for (;;) {
            if (await evaluate(fn)) return;
            if (Date.now() > deadline) throw new Error(`waitForFunction: timed out after ${ms} ms`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        },
        $eval: (selector, fn) => evaluate(`() => (${fn})(document.querySelector(${JSON.stringify(selector)}))`),
      };
    },
    async close() {
      await send('browser.close').catch(() => {});
      socket.close();
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(); else { child.once('exit', resolve); setTimeout(resolve, 5000); } });
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    },
  };
}
