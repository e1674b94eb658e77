// The forward's memory plan (src/model/forward-plan.ts) against the allocator's measured peak, the up-front
// BackendError when a graph cannot fit, and the extra row blocks of Q the plan takes when memory is short
// (output bit for bit the same).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, DenseMatrix, createModel, forward, forwardPlanBytes, rng, scope, BackendError, type GraphTransformer, type LayerWeights } from '../../src/index.js';
import { loadedKernels } from '../../src/runtime/init.js';
import { allocBlock, wasmHeapBytes, resetWasmPeak } from '../../src/runtime/storage.js';
import { WASM_MEMORY_BYTES } from '../../src/runtime/block-size.js';
import { PLAN_HEADROOM_BYTES, planNetwork } from '../../src/model/forward-plan.js';
import { csrFromEdges, CsrGraph } from '../../src/index.js';

/** n nodes, about 24 random partners each and a self loop. */
function erPattern(g: ReturnType<typeof rng>, n: number): CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  for (let e = 0; e < 12 * n; e++) { rows.push(g.int(n)); cols.push(g.int(n)); }
  return csrFromEdges(rows, cols, { numNodes: n, symmetrize: true, selfLoops: true });
}

await init();
const k = loadedKernels()!;

function w(g: ReturnType<typeof rng>, rows: number, cols: number): DenseMatrix<'f64'> {
  return DenseMatrix.from(g.fillNormal(new Float64Array(rows * cols), 1 / Math.sqrt(cols)), rows, cols, 'f64');
}

interface Shape { p: number; dQK: number; dV: number; hidden: number; out: number; attSkip?: number; attNorm?: number; ffnNorm?: number }

/** A practical model with the given layer shapes (skips identity unless attSkip, affine norms where asked). */
function model(seed: number, dIn: number, encoder: number | null, shapes: Shape[], head: number | null): GraphTransformer {
  const g = rng(seed);
  const layers: LayerWeights[] = shapes.map((s) => {
    const half = s.attSkip ? s.attSkip : s.dV;
    const normed = s.attNorm ?? half;
    return {
      wQ: w(g, s.dQK, s.p), wK: w(g, s.dQK, s.p), wV: w(g, s.dV, s.p), w1: w(g, s.hidden, normed), w2: w(g, s.out, s.hidden),
      b1: new Float64Array(s.hidden), b2: new Float64Array(s.out), logitScale: 1 / Math.sqrt(s.dQK),
      attentionSkip: s.attSkip ? w(g, s.attSkip, s.p) : 'identity',
      attentionNorm: s.attNorm ? { weight: w(g, s.attNorm, half), bias: new Float64Array(s.attNorm) } : null,
      ffnSkip: 'identity',
      ffnNorm: s.ffnNorm ? { weight: w(g, s.ffnNorm, s.out), bias: new Float64Array(s.ffnNorm) } : null,
    };
  });
  return createModel({
    variant: 'practical', activation: 'relu', layers,
    encoder: encoder ? { weight: w(g, encoder, dIn), bias: new Float64Array(encoder) } : undefined,
    head: head ? { weight: w(g, head, shapes[shapes.length - 1].ffnNorm ?? shapes[shapes.length - 1].out), bias: new Float64Array(head) } : undefined,
  });
}

const CASES: { name: string; dIn: number; encoder: number | null; shapes: Shape[]; head: number | null; xDtype: 'f32' | 'f64' }[] = [
  { name: 'the bench network (encoder 16 → 64, 4 layers at 64, identity skips)', dIn: 16, encoder: 64, head: null, xDtype: 'f32',
    shapes: Array.from({ length: 4 }, () => ({ p: 64, dQK: 64, dV: 64, hidden: 64, out: 64 })) },
  { name: 'mixed widths, a skip matrix, affine norms, a head', dIn: 16, encoder: 32, head: 3, xDtype: 'f32', shapes: [
    { p: 32, dQK: 8, dV: 32, hidden: 48, out: 32 },
    { p: 32, dQK: 16, dV: 24, hidden: 40, out: 24, attSkip: 24, attNorm: 24, ffnNorm: 24 },
  ] },
  { name: 'no encoder, f64 input copied to f32', dIn: 16, encoder: null, head: null, xDtype: 'f64',
    shapes: [{ p: 16, dQK: 16, dV: 16, hidden: 32, out: 16 }, { p: 16, dQK: 16, dV: 16, hidden: 16, out: 16 }] },
];

test('the planned work bytes bound the measured peak of the f32 forward from above, within 5 % + 1.5 MiB', () => {
  const n = 6000, pattern = erPattern(rng(1), n);
  for (const c of CASES) {
    const m = model(2, c.dIn, c.encoder, c.shapes, c.head);
    const x = DenseMatrix.from(rng(3).fillNormal(new Float64Array(n * c.dIn)), n, c.dIn, c.xDtype);
    const plan = forwardPlanBytes(m, pattern, { dtype: 'f32', inputDtype: c.xDtype });
    const before = wasmHeapBytes().live;
    resetWasmPeak();
    scope(() => { forward(m, x, pattern, { dtype: 'f32' }); });
    const measured = wasmHeapBytes().peak - before;
    const planned = plan.workBytes + plan.inputCopyBytes;
    assert.ok(measured <= planned, `${c.name}: measured ${measured} ≤ planned ${planned}`);
    assert.ok(planned <= 1.05 * measured + 1.5 * 2 ** 20, `${c.name}: planned ${planned} is close to the measured ${measured}`);
    assert.equal(plan.patternBytes, (n + 1 + pattern.numEdges) * 4);
    x.free(); m.free();
  }
  pattern.free();
});

test('a forward that cannot fit is a BackendError naming forward before any work, and nothing stays allocated', () => {
  const n = 6000, pattern = erPattern(rng(4), n), c = CASES[0];
  const m = model(5, c.dIn, c.encoder, c.shapes, c.head);
  const x = DenseMatrix.from(rng(6).fillNormal(new Float32Array(n * c.dIn)), n, c.dIn, 'f32');
  const plan = planNetwork(m, n, c.dIn, 'f32', false, 256, 0);
  // leave less than the 256-block plan needs (untouched pages: virtual memory only)
  const filler = allocBlock(k, WASM_MEMORY_BYTES - PLAN_HEADROOM_BYTES - k.liveBytes() - plan.workBytes + 4096);
  try {
    const live = k.liveBytes();
    resetWasmPeak();
    assert.throws(() => forward(m, x, pattern, { dtype: 'f32' }),
      (e: unknown) => e instanceof BackendError && /^forward: the f32 forward on n = 6000 nodes needs about \d+ bytes/.test((e as Error).message));
    assert.equal(k.peakBytes(), live, 'nothing was allocated before the error');
    assert.equal(k.liveBytes(), live);
  } finally {
    k.free(filler);
  }
  x.free(); m.free(); pattern.free();
});

test('short of memory, the forward forms Q in more row blocks and gives the same bits', () => {
  const n = 6000, pattern = erPattern(rng(7), n), c = CASES[0];
  const m = model(8, c.dIn, c.encoder, c.shapes, c.head);
  const x = DenseMatrix.from(rng(9).fillNormal(new Float32Array(n * c.dIn)), n, c.dIn, 'f32');
  const plenty = forward(m, x, pattern, { dtype: 'f32' }).output;
  const four = planNetwork(m, n, c.dIn, 'f32', false, 4, 0), many = planNetwork(m, n, c.dIn, 'f32', false, 64, 0);
  assert.ok(many.workBytes < four.workBytes, 'more blocks plan fewer bytes');
  // room for the 64-block plan but not the 4-block one
  const filler = allocBlock(k, WASM_MEMORY_BYTES - PLAN_HEADROOM_BYTES - k.liveBytes() - four.workBytes + 1024);
  try {
    const short = forward(m, x, pattern, { dtype: 'f32' }).output;
    assert.deepEqual(new Uint32Array(short.data.slice().buffer), new Uint32Array(plenty.data.slice().buffer), 'bit for bit');
    short.free();
  } finally {
    k.free(filler);
  }
  plenty.free(); x.free(); m.free(); pattern.free();
});

test('a pattern kept in the JS heap is streamed into WASM one query block at a time: the same bits, and the pattern never resident', () => {
  const n = 6000, resident = erPattern(rng(10), n), c = CASES[0];
  const js = CsrGraph.fromArrays(n, n, resident.rowPtr.array.slice(), resident.colIdx.array.slice(), 'js');
  assert.ok(!js.rowPtr.resident && !js.colIdx.resident);
  const m = model(11, c.dIn, c.encoder, c.shapes, c.head);
  const x = DenseMatrix.from(rng(12).fillNormal(new Float32Array(n * c.dIn)), n, c.dIn, 'f32');
  const peakOf = (pattern: CsrGraph): { out: DenseMatrix<'f32'>; work: number } => {
    const before = wasmHeapBytes().live;
    resetWasmPeak();
    const out = forward(m, x, pattern, { dtype: 'f32' }).output;
    return { out, work: wasmHeapBytes().peak - before };
  };
  const a = peakOf(resident), b = peakOf(js);
  assert.deepEqual(new Uint32Array(b.out.data.slice().buffer), new Uint32Array(a.out.data.slice().buffer), 'bit for bit');
  // the streamed block: the most entries of one of the 4 query blocks, 4 bytes each, rounded; the whole pattern would be 4× that
  let most = 0;
  const rp = resident.rowPtr.array, rows = Math.ceil(n / 4);
  for (let r0 = 0; r0 < n; r0 += rows) most = Math.max(most, rp[Math.min(r0 + rows, n)] - rp[r0]);
  const extra = b.work - a.work;
  assert.ok(extra >= most * 4 && extra <= most * 4 + 64, `the JS-heap pattern adds ${extra} bytes to the peak: one block of ${most} column indices`);
  assert.ok(extra < resident.colIdx.length * 4 / 2, 'far less than the pattern itself');
  a.out.free(); b.out.free(); x.free(); m.free(); js.free(); resident.free();
});
