// The cross-runtime checks in Cloudflare workerd. workerd refuses to compile WASM from bytes, so the
// kernels arrive as a module binding (a CompiledWasm import) and go to init() as a WebAssembly.Module.
// scripts/runtimes/workerd.mjs bundles this file with esbuild, as wrangler would, and runs its test()
// handler with `workerd test`.
import * as lib from '../../src/index.js';
import kernels from '../../kernels.wasm';
import expected from './expected.js';
import { runChecks, outcomeLine } from './checks.js';

export default {
  async test(): Promise<void> {
    // Without the module, init() cannot compile the embedded bytes here; with fallback 'error' it must say so
    // (scripts/runtimes/workerd.mjs judges the line) and leave the module binding usable afterwards.
    const refused = await lib.init(undefined, { fallback: 'error' }).then((b) => `resolved ${b}`, (e: Error) => `${e.name}: ${e.message}`);
    console.log(`narrowgt-workerd-refusal ${JSON.stringify(refused)}`);
    await lib.init(kernels);
    const outcomes = await runChecks(lib, expected);
    for (const outcome of outcomes) console.log(outcomeLine('workerd', outcome));
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) throw new Error(`workerd: ${failed.length} check(s) failed: ${failed.map((o) => `${o.name}: ${o.message}`).join('; ')}`);
  },
};
