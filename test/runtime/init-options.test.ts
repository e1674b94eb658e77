// init()'s fallback option and the slim entry's init(), each in a fresh Node process (init() is once per
// module instance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/index.js', import.meta.url));
const slim = fileURLToPath(new URL('../../src/slim.js', import.meta.url));
const wasm = fileURLToPath(new URL('../../kernels.wasm', import.meta.url));

function run(script: string, flags: string[] = []) {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

const outcome = `async (f) => { try { return { value: await f() }; } catch (e) { return { name: e.name, message: e.message }; } }`;

test("init() without WebAssembly warns once by default, says nothing with fallback 'quiet', and rejects with 'error'", () => {
  const script = (options: string) => `
    const m = await import(${JSON.stringify(entry)});
    const o = await (${outcome})(() => m.init(undefined, ${options}));
    console.log(JSON.stringify({ ...o, backend: m.backend() }));`;
  const warned = run(script('{}'), ['--noexpose-wasm']);
  assert.equal(warned.out.value, 'js');
  assert.match(warned.stderr, /^init: WebAssembly is not available here; the plain-TypeScript kernels \('js'\) serve instead/);
  assert.match(warned.stderr, /fallback: 'quiet'/);
  assert.equal(warned.stderr.trim().split('\n').length, 1, warned.stderr);
  const quiet = run(script("{ fallback: 'quiet' }"), ['--noexpose-wasm']);
  assert.equal(quiet.out.value, 'js');
  assert.equal(quiet.stderr, '');
  const error = run(script("{ fallback: 'error' }"), ['--noexpose-wasm']);
  assert.equal(error.out.name, 'BackendError');
  assert.match(error.out.message, /^init: WebAssembly is not available here/);
});

test("init() and initSync() given bytes WebAssembly refuses: a warning by default, BackendError with fallback 'error'", () => {
  const script = `
    const m = await import(${JSON.stringify(entry)});
    const bad = new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]);
    const sync = await (${outcome})(() => m.initSync(bad, { fallback: 'error' }));
    const strict = await (${outcome})(() => m.init(bad, { fallback: 'error' }));
    const loose = await (${outcome})(() => m.init(bad));
    console.log(JSON.stringify({ sync, strict, loose, backend: m.backend() }));`;
  const { out, stderr } = run(script);
  assert.equal(out.sync.name, 'BackendError');
  assert.match(out.sync.message, /^initSync: WebAssembly refused the kernels \(CompileError: /);
  assert.equal(out.strict.name, 'BackendError');
  assert.match(out.strict.message, /^init: WebAssembly refused the kernels \(CompileError: /);
  assert.equal(out.loose.value, 'js');
  assert.match(stderr, /^init: WebAssembly refused the kernels/);
});

test('init() rejects an unknown fallback before any work', () => {
  const script = `
    const m = await import(${JSON.stringify(entry)});
    const o = await (${outcome})(() => m.init(undefined, { fallback: 'loud' }));
    console.log(JSON.stringify({ ...o, backend: m.backend() }));`;
  const { out } = run(script);
  assert.equal(out.name, 'InputError');
  assert.match(out.message, /^init: options\.fallback must be one of 'warn', 'error', 'quiet', not loud/);
  assert.equal(out.backend, 'js', 'nothing was loaded');
});

test('narrowgt/slim: init() needs the module or its bytes (InputError), then loads them; embeddedWasmBytes throws', () => {
  const script = `
    const { readFileSync } = await import('node:fs');
    const m = await import(${JSON.stringify(slim)});
    const missing = await (${outcome})(() => m.init());
    const missingSync = await (${outcome})(() => m.initSync());
    const embedded = await (${outcome})(() => m.embeddedWasmBytes());
    const loaded = await (${outcome})(() => m.init(readFileSync(${JSON.stringify(wasm)})));
    const again = await (${outcome})(() => m.init());
    const a = m.DenseMatrix.fromRows([[1, 2], [3, 4]], 'f32');
    console.log(JSON.stringify({ missing, missingSync, embedded, loaded, again, product: Array.from(m.matmul(a, a).data) }));`;
  const { out } = run(script);
  assert.equal(out.missing.name, 'InputError');
  assert.match(out.missing.message, /^init: source is required: narrowgt\/slim carries no embedded kernels/);
  assert.equal(out.missingSync.name, 'InputError');
  assert.match(out.missingSync.message, /^initSync: source is required/);
  assert.equal(out.embedded.name, 'BackendError');
  assert.equal(out.loaded.value, 'wasm-simd');
  assert.equal(out.again.value, 'wasm-simd', 'idempotent once loaded');
  assert.deepEqual(out.product, [7, 10, 15, 22]);
});

test('narrowgt/slim: init(undefined, { forceJs: true }) needs no module', () => {
  const { out } = run(`
    const m = await import(${JSON.stringify(slim)});
    console.log(JSON.stringify(await m.init(undefined, { forceJs: true })));`);
  assert.equal(out, 'js');
});
