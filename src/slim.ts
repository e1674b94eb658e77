// narrowgt/slim — the library entry without the embedded kernels (about 124 KB of base64 less in a bundle):
// everything `narrowgt` exports, but init()/initSync() need the compiled module or its bytes, e.g.
// `import kernels from 'narrowgt/kernels.wasm'` or `await WebAssembly.compileStreaming(fetch(url))`.
// Its local exports take precedence over the same names from `export *` (ECMAScript module semantics).
export * from './index.js';
export { init, initSync, embeddedWasmBytes } from './runtime/init-slim.js';
