// The cross-runtime checks in Chromium, shared by the page and the module Web Worker. The library is the
// single-file browser bundle (dist/browser/narrowgt.js), imported by URL as a page without a bundler would.
import expected from './expected.js';
import { runChecks, type CheckOutcome, type Lib } from './checks.js';

/** How the page or worker loads the kernels: the embedded bytes, or `compileStreaming` of kernels.wasm. */
export type Loading = 'embedded' | 'streaming';

export async function runBrowserChecks(libUrl: string, wasmUrl: string, loading: Loading): Promise<CheckOutcome[]> {
  const lib = (await import(libUrl)) as Lib;
  if (loading === 'embedded') await lib.init();
  else if (loading === 'streaming') await lib.init(await WebAssembly.compileStreaming(fetch(wasmUrl)));
  else throw new Error(`runBrowserChecks: unknown loading '${String(loading)}'`);
  return runChecks(lib, expected);
}
