import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/index.js', import.meta.url));

test("without WebAssembly (node --noexpose-wasm) init() falls back to the TS twins and backend() is 'js'", () => {
  const script = `
    const m = await import(${JSON.stringify(entry)});
    const b = await m.init();
    const a = m.DenseMatrix.fromRows([[1, 2], [3, 4]], 'f32');
    const c = m.matmul(a, a);
    const g = m.csrFromEdges([0, 1], [1, 0], { selfLoops: true });
    const { output } = m.sparseAttention(a, a, a, g);
    console.log(JSON.stringify({ b, c: Array.from(c.data), resident: a.storage.resident, out: Array.from(output.data) }));
  `;
  const r = spawnSync(process.execPath, ['--noexpose-wasm', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  assert.equal(got.b, 'js');
  assert.equal(got.resident, false);
  assert.deepEqual(got.c, [7, 10, 15, 22]); // [[1,2],[3,4]]² by hand
  assert.equal(got.out.length, 4);
  assert.ok(got.out.every(Number.isFinite));
});

test("init({forceJs}) picks the TS twins even where WASM SIMD works", () => {
  const script = `
    const m = await import(${JSON.stringify(entry)});
    console.log(await m.init(undefined, { forceJs: true }), m.backend());
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'js js');
});
