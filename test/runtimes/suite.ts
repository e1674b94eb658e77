// The cross-runtime checks as a node:test file that Node 20, Deno (`deno test`) and Bun (`bun test ./…`)
// all run as it is. Loads the kernels from the embedded bytes: no file, network or env access, so Deno
// needs no permission. Not named *.test.js: it needs Node's reference numbers, which runtimes.test.js
// writes first (scripts/runtimes/run.mjs does the same when run by hand).
import { test } from 'node:test';
import * as lib from '../../src/index.js';
import expected from './expected.js';
import { CHECKS, runCheck, outcomeLine } from './checks.js';

declare const Deno: unknown, Bun: unknown;
const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';

await lib.init();

for (const check of CHECKS) {
  test(check.name, async () => {
    const outcome = await runCheck(check, lib, expected);
    console.log(outcomeLine(runtime, outcome));
    if (!outcome.ok) throw new Error(`${check.name}: ${outcome.message}`);
  });
}
