// Types for `import kernels from 'narrowgt/kernels.wasm'` (and from 'narrowgt/kernels-relaxed.wasm', the relaxed-SIMD
// build, for engines where relaxedSimdSupported() is true). Where such an import works at all, the runtime or
// bundler turns it into a compiled module: wrangler's default `CompiledWasm` rule for Cloudflare Workers, and
// bundlers configured to emit `.wasm` as a WebAssembly.Module — which init()/initSync() take as they are.
// (A bundler that turns `.wasm` into a URL instead wants `new URL('narrowgt/kernels.wasm', import.meta.url)`.)
declare const kernels: WebAssembly.Module;
export default kernels;
