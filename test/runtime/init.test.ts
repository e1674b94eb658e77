import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init, initSync, backend, embeddedWasmBytes, setBackend, InputError, BackendError } from '../../src/index.js';

test("init() loads the embedded SIMD kernels and backend() answers 'wasm-simd' in Node 20", async () => {
  assert.equal(await init(), 'wasm-simd');
  assert.equal(backend(), 'wasm-simd');
});

test('init() is idempotent: a second call with a module returns the same backend without reloading', async () => {
  const mod = new WebAssembly.Module(embeddedWasmBytes() as BufferSource);
  assert.equal(await init(mod), 'wasm-simd');
  assert.equal(initSync(), 'wasm-simd');
});

test('init rejects a source of the wrong type with InputError naming init', async () => {
  await assert.rejects(() => init('kernels.wasm' as never), (e: unknown) => e instanceof InputError && /^init: source/.test(e.message));
});

test('setBackend refuses unknown names', () => {
  assert.throws(() => setBackend('gpu' as never), InputError);
  assert.ok(BackendError);
});

test('the embedded bytes equal dist/kernels.wasm, which validates and contains SIMD instructions', () => {
  const onDisk = readFileSync(new URL('../../kernels.wasm', import.meta.url));
  const embedded = embeddedWasmBytes();
  assert.deepEqual(Buffer.from(embedded), onDisk);
  assert.ok(WebAssembly.validate(embedded as BufferSource));
  const wat = readFileSync(new URL('../../kernels.wat', import.meta.url), 'utf8');
  const simdOps = wat.match(/\b(f32x4|f64x2|i32x4|i64x2|v128)\.[a-z_]+/g) ?? [];
  assert.ok(simdOps.length > 50, `expected many SIMD instructions in kernels.wat, found ${simdOps.length}`);
  assert.ok(simdOps.some((op) => op.startsWith('f32x4.mul')), 'f32x4.mul is used');
  assert.ok(simdOps.some((op) => op.startsWith('f64x2.mul')), 'f64x2.mul is used');
});

test('a WebAssembly.Module compiled from the bytes instantiates on its own (the workerd path)', async () => {
  const mod = await WebAssembly.compile(embeddedWasmBytes() as BufferSource);
  const names = WebAssembly.Module.exports(mod).map((e) => e.name);
  for (const n of ['memory', 'alloc', 'free', 'gemm_f32', 'gemm_f64', 'attention_csr_f32']) assert.ok(names.includes(n), n);
});
