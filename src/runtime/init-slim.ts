// init() and initSync() of the slim entry (narrowgt/slim, or the `narrowgt-slim` export condition): the same
// loader without the embedded copy of the kernels, for apps that load kernels.wasm themselves (a module binding,
// `compileStreaming`, a bundler's asset) and should not ship its bytes twice. Without a source they throw InputError.
import { initFrom, initSyncFrom, type Backend, type InitOptions, type InitSource } from './init.js';
import { BackendError } from './errors.js';

/** Loads the given kernels (a WebAssembly.Module or its bytes); required unless `options.forceJs`. Idempotent. */
export function init(source?: InitSource, options: InitOptions = {}): Promise<Backend> {
  return initFrom('init', null, source, options);
}

/** Synchronous init() from a compiled module or bytes; required unless `options.forceJs`. Idempotent. */
export function initSync(source?: InitSource, options: InitOptions = {}): Backend {
  return initSyncFrom('initSync', null, source, options);
}

/** narrowgt/slim carries no embedded kernels: always throws BackendError. */
export function embeddedWasmBytes(): never {
  throw new BackendError("embeddedWasmBytes: narrowgt/slim carries no embedded kernels; read them from 'narrowgt/kernels.wasm', or import 'narrowgt'");
}
