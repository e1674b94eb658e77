// init()'s choice between the plain and the relaxed-SIMD build of the kernels (src/runtime/features.ts), each case in
// a fresh Node process (init() is once per module instance), with relaxed SIMD off (Node 20's default) and on
// (--experimental-wasm-relaxed-simd). Whether the engine "has" relaxed SIMD is decided here independently of the
// probe under test: by compiling the real dist/kernels-relaxed.wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/index.js', import.meta.url));
const relaxedWasm = fileURLToPath(new URL('../../kernels-relaxed.wasm', import.meta.url));
const plainWasm = fileURLToPath(new URL('../../kernels.wasm', import.meta.url));
const ON = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
const OFF = process.versions.node.split('.')[0] === '20' ? [] : ['--no-experimental-wasm-relaxed-simd'];

function run(script: string, flags: string[]) {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const outcome = `async (f) => { try { return { value: await f() }; } catch (e) { return { name: e.name, message: e.message }; } }`;

/** A fresh process: whether the real relaxed module compiles there, and what init(undefined, options) gives. */
function initWith(options: string, flags: string[], sync = false) {
  return run(`
    const { readFileSync } = await import('node:fs');
    let compiles = true;
    try { new WebAssembly.Module(readFileSync(${JSON.stringify(relaxedWasm)})); } catch { compiles = false; }
    const m = await import(${JSON.stringify(entry)});
    const o = await (${outcome})(() => m.${sync ? 'initSync' : 'init'}(undefined, ${options}));
    let product = null;
    if (o.value === 'wasm-simd') {
      const a = m.DenseMatrix.fromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 'f64');
      product = Array.from(m.matmul(a, a).data);
    }
    console.log(JSON.stringify({ ...o, compiles, supported: m.relaxedSimdSupported(), build: m.kernelBuild(), backend: m.backend(), product }));`, flags);
}

const SQUARE = [30, 36, 42, 66, 81, 96, 102, 126, 150]; // [[1,2,3],[4,5,6],[7,8,9]]², exact in either build

test('relaxedSimdSupported() agrees with whether the relaxed build compiles, with relaxed SIMD off and on', () => {
  const off = initWith('{}', OFF), on = initWith('{}', ON);
  assert.equal(off.supported, off.compiles);
  assert.equal(on.supported, on.compiles);
  assert.equal(on.compiles, true, 'the flag turns relaxed SIMD on');
  assert.equal(off.compiles, false, 'off by default in Node 20 (or turned off by the flag)');
});

test("init() 'auto' loads the relaxed build where it compiles, the plain one otherwise; kernelBuild() says which", () => {
  for (const [flags, want] of [[OFF, 'plain'], [ON, 'relaxed']] as const) {
    for (const sync of [false, true]) {
      const r = initWith("{ simd: 'auto' }", flags, sync);
      assert.equal(r.value, 'wasm-simd');
      assert.equal(r.build, r.compiles ? 'relaxed' : 'plain');
      assert.equal(r.build, want);
      assert.deepEqual(r.product, SQUARE);
    }
  }
  assert.equal(initWith('{}', ON).build, 'relaxed', 'auto is the default');
});

test("init({ simd: 'plain' }) loads the plain build whether or not relaxed SIMD is on", () => {
  for (const flags of [OFF, ON]) {
    for (const sync of [false, true]) {
      const r = initWith("{ simd: 'plain' }", flags, sync);
      assert.equal(r.value, 'wasm-simd');
      assert.equal(r.build, 'plain');
      assert.deepEqual(r.product, SQUARE);
    }
  }
});

test("init({ simd: 'relaxed' }): the relaxed build where relaxed SIMD is on, a BackendError before any work where it is off", () => {
  for (const sync of [false, true]) {
    const on = initWith("{ simd: 'relaxed' }", ON, sync);
    assert.equal(on.value, 'wasm-simd');
    assert.equal(on.build, 'relaxed');
    assert.deepEqual(on.product, SQUARE);
    const off = initWith("{ simd: 'relaxed', fallback: 'quiet' }", OFF, sync);
    assert.equal(off.name, 'BackendError', JSON.stringify(off));
    assert.match(off.message, new RegExp(`^${sync ? 'initSync' : 'init'}: options\\.simd is 'relaxed', but this engine does not support relaxed SIMD`));
    assert.equal(off.backend, 'js', 'nothing was loaded');
    assert.equal(off.build, null);
  }
});

test('init() rejects an unknown options.simd with InputError before any work; forceJs ignores the build', () => {
  const bad = initWith("{ simd: 'fma' }", ON);
  assert.equal(bad.name, 'InputError');
  assert.match(bad.message, /^init: options\.simd must be one of 'auto', 'relaxed', 'plain', not fma/);
  assert.equal(bad.backend, 'js');
  const js = initWith("{ simd: 'relaxed', forceJs: true }", OFF);
  assert.equal(js.value, 'js');
  assert.equal(js.build, null);
});

test('kernelBuild() asks the loaded module: right for a module passed to init(); embeddedWasmBytes(build) gives each build', () => {
  for (const [file, want] of [[relaxedWasm, 'relaxed'], [plainWasm, 'plain']] as const) {
    const r = run(`
      const { readFileSync } = await import('node:fs');
      const m = await import(${JSON.stringify(entry)});
      await m.init(readFileSync(${JSON.stringify(file)}));
      console.log(JSON.stringify({ build: m.kernelBuild() }));`, ON);
    assert.equal(r.build, want);
  }
  const bytes = run(`
    const { readFileSync } = await import('node:fs');
    const m = await import(${JSON.stringify(entry)});
    const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    const bad = await (${outcome})(() => m.embeddedWasmBytes('fast'));
    console.log(JSON.stringify({
      plain: same(m.embeddedWasmBytes(), readFileSync(${JSON.stringify(plainWasm)})),
      plainNamed: same(m.embeddedWasmBytes('plain'), readFileSync(${JSON.stringify(plainWasm)})),
      relaxed: same(m.embeddedWasmBytes('relaxed'), readFileSync(${JSON.stringify(relaxedWasm)})),
      bad }));`, OFF);
  assert.deepEqual([bytes.plain, bytes.plainNamed, bytes.relaxed], [true, true, true]);
  assert.equal(bytes.bad.name, 'InputError');
});
