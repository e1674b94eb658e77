// Runs the cross-runtime checks and the per-runtime examples: `node scripts/runtimes/run.mjs [runtime…]`
// with runtimes among node, deno, bun, workerd, chromium, wrangler, firefox (default: all), after `npm run build`.
// Node computes the reference numbers first (dist/test/runtimes/expected.js); every runtime must pass
// every check in CHECKS and its example must print 'wasm-simd' and Node's numbers. Prints one
// `narrowgt-runtime PASS|FAIL <target>` line per suite and example; exits 1 if any failed or did not start.
// A runtime that is a system package and absent (Firefox) prints `narrowgt-runtime SKIP <runtime>: <why>` instead.
import { spawnSync } from 'node:child_process';
import { writeReference } from '../../dist/test/runtimes/reference.js';
import { CHECKS, F32_TOLERANCE } from '../../dist/test/runtimes/checks.js';
import { root } from './env.mjs';
import { runLocal } from './local.mjs';

const DRIVERS = {
  node: async () => runLocal('node'),
  deno: async () => runLocal('deno'),
  bun: async () => runLocal('bun'),
  workerd: async () => (await import('./workerd.mjs')).runWorkerd(),
  chromium: async () => (await import('./chromium.mjs')).runChromium(),
  wrangler: async () => (await import('./wrangler.mjs')).runWrangler(),
  firefox: async () => (await import('./firefox.mjs')).runFirefox(),
};

const asked = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(DRIVERS);
for (const name of asked) {
  if (!(name in DRIVERS)) {
    console.error(`run.mjs: unknown runtime '${name}'; expected some of ${Object.keys(DRIVERS).join(', ')}`);
    process.exit(2);
  }
}

await writeReference();
const nodeExample = spawnSync(process.execPath, ['examples/node/main.mjs'], { cwd: root, encoding: 'utf8' });
const reference = parseExample(nodeExample.stdout.trim());
if (!reference) throw new Error(`run.mjs: the Node example printed no result:\n${nodeExample.stdout}${nodeExample.stderr}`);

/** 'wasm-simd [[…],…]' → { backend, values } or null. */
function parseExample(text) {
  const m = /^(\S+) (\[.*\])$/.exec(text ?? '');
  if (!m) return null;
  try {
    return { backend: m[1], values: JSON.parse(m[2]).flat() };
  } catch {
    return null;
  }
}

function judgeSuite(s) {
  const problems = [];
  if (s.exitCode !== undefined && s.exitCode !== 0) problems.push(`exited with ${s.exitCode}`);
  if (s.error) problems.push(s.error);
  const names = CHECKS.map((c) => c.name);
  let worst = 0;
  for (const name of names) {
    const found = s.outcomes.filter((o) => o.name === name);
    if (found.length !== 1) { problems.push(`check '${name}' reported ${found.length} times`); continue; }
    if (!found[0].ok) problems.push(`check '${name}' failed: ${found[0].message}`);
    worst = Math.max(worst, found[0].worst ?? 0);
  }
  for (const o of s.outcomes) if (!names.includes(o.name)) problems.push(`unknown check '${o.name}'`);
  const passed = s.outcomes.filter((o) => o.ok && names.includes(o.name)).length;
  const fused = s.outcomes.filter((o) => o.matched === 'relaxed').length, compared = s.outcomes.filter((o) => o.matched).length;
  return { problems, summary: `${passed}/${names.length} checks, max deviation from Node ${worst} × tolerance` +
    (fused > 0 ? ` (relaxed-SIMD build: ${fused} of ${compared} compared checks matched Node's relaxed numbers)` : '') };
}

function judgeExample(e) {
  const problems = [];
  if (e.exitCode !== undefined && e.exitCode !== 0) problems.push(`exited with ${e.exitCode}`);
  const got = parseExample(e.text);
  if (!got) problems.push(`printed '${e.text}', not '<backend> <rows as JSON>'`);
  else {
    if (got.backend !== 'wasm-simd') problems.push(`backend is '${got.backend}'`);
    const { rtol, atol } = F32_TOLERANCE;
    const same = got.values.length === reference.values.length &&
      got.values.every((v, i) => Math.abs(v - reference.values[i]) <= atol + rtol * Math.abs(reference.values[i]));
    if (!same) problems.push(`numbers ${JSON.stringify(got.values)} differ from Node's ${JSON.stringify(reference.values)}`);
  }
  return { problems, summary: 'wasm-simd, same numbers as the Node example' };
}

let failures = 0;
for (const name of asked) {
  const started = performance.now();
  let result;
  try {
    result = await DRIVERS[name]();
  } catch (e) {
    result = { suites: [{ target: name, outcomes: [], error: `did not start: ${e?.stack ?? e}`, log: '' }], examples: [] };
  }
  if (result.skipped) {
    console.log(`narrowgt-runtime SKIP ${name}: ${result.skipped}`);
    continue;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const note of result.notes ?? []) console.log(`narrowgt-runtime note ${note}`);
  const verdicts = [
    ...result.suites.map((s) => ({ target: s.target, log: s.log, ...judgeSuite(s) })),
    ...result.examples.map((e) => ({ target: `${e.target}`, log: e.log, ...judgeExample(e) })),
    ...(result.builds ?? []),
  ];
  for (const v of verdicts) {
    if (v.problems.length === 0) {
      console.log(`narrowgt-runtime PASS ${v.target}: ${v.summary}`);
    } else {
      failures++;
      console.log(`narrowgt-runtime FAIL ${v.target}:\n  ${v.problems.join('\n  ')}\n--- output ---\n${v.log}\n--------------`);
    }
  }
  console.log(`narrowgt-runtime time ${name}: ${seconds} s`);
}
process.exit(failures > 0 ? 1 : 0);
