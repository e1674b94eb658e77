// `import kernels from '…/kernels.wasm'` yields a compiled WebAssembly.Module in workerd (a CompiledWasm
// module rule, as wrangler sets by default) and in bundlers configured that way.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
