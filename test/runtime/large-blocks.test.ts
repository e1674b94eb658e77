// The allocator's large regions (assembly/memory.ts): blocks of 8 MiB and more outside TLSF, unsigned
// pointers above 2³¹, and out-of-memory as a BackendError. The big blocks here are taken with the raw
// allocator and never written, so the pages stay untouched (virtual memory only) and the file runs in about
// a second; only the 64 MiB Storage above 2³¹ is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Storage, BackendError, NarrowgtError } from '../../src/index.js';
import { loadedKernels } from '../../src/runtime/init.js';
import { allocBlock } from '../../src/runtime/storage.js';
import { MAX_BLOCK_BYTES, WASM_MEMORY_BYTES } from '../../src/runtime/block-size.js';

await init();
const k = loadedKernels()!;
const MiB = 2 ** 20;

test('the ~1 GiB alloc/free/alloc sequence that trapped in TLSF now succeeds, and live bytes return to where they were', () => {
  const live0 = k.liveBytes();
  for (const bytes of [2 ** 30 - 32, 2 ** 30 - 16, 2 ** 29, 2 ** 29 + 4096, 2 ** 30 + 2 ** 28]) {
    const p = allocBlock(k, bytes);
    assert.ok(p > 0 && p % 16 === 0, `a 16-byte-aligned block for ${bytes} bytes`);
    assert.ok(k.liveBytes() - live0 >= bytes, 'the large block is counted in liveBytes');
    assert.ok(k.liveBytes() - live0 < bytes + 65536, 'and counted once, at its size rounded to at most a page');
    assert.ok(k.peakBytes() >= k.liveBytes());
    k.free(p);
    assert.equal(k.liveBytes(), live0, `freeing the ${bytes}-byte block gives back exactly what it counted`);
  }
});

test('a freed large region is reused first-fit and merged with its free neighbours (memory does not grow again)', () => {
  const a = allocBlock(k, 64 * MiB), b = allocBlock(k, 96 * MiB), c = allocBlock(k, 64 * MiB);
  assert.ok(a < b && b < c, 'regions come from the top of memory in order');
  const pages = k.memoryPages();
  k.free(a);
  const a2 = allocBlock(k, 64 * MiB);
  assert.equal(a2, a, 'first fit: the freed region is handed out again');
  k.free(a2); k.free(b);
  // a and b are adjacent and free: one 160 MiB region, which a 150 MiB request fits without growing memory
  const ab = allocBlock(k, 150 * MiB);
  assert.equal(ab, a, 'the merged region starts where a did');
  assert.equal(k.memoryPages(), pages, 'no growth: the merged free space served the request');
  k.free(ab); k.free(c);
});

test('small TLSF blocks and large regions never overlap', () => {
  const big = Storage.alloc('i32', 16 * MiB); // 64 MiB: a large region
  const arr = big.array;
  for (let i = 0; i < arr.length; i += 4099) arr[i] = i ^ 0x5a5a;
  const small: Storage<'i32'>[] = [];
  for (let t = 0; t < 200; t++) {
    const s = Storage.alloc('i32', 1000 + 37 * t);
    s.array.fill(-1);
    const lo = s.ptr, hi = s.ptr + s.length * 4;
    assert.ok(hi <= big.ptr || lo >= big.ptr + big.length * 4, 'a small block outside the region');
    small.push(s);
  }
  const now = big.array;
  let intact = true;
  for (let i = 0; i < now.length; i += 4099) if (now[i] !== (i ^ 0x5a5a)) { intact = false; break; }
  assert.ok(intact, 'the region kept its contents while small blocks were written');
  for (const s of small) s.free();
  big.free();
});

test('a Storage at an address at or above 2³¹ reads and writes correctly (pointers are unsigned)', () => {
  const filler = allocBlock(k, 2 ** 31); // untouched pages: virtual memory only
  try {
    const s = Storage.alloc('f32', 16 * MiB);
    assert.ok(s.ptr >= 2 ** 31, `the block lies above 2³¹ (at ${s.ptr})`);
    const a = s.array;
    a[0] = 1.5; a[a.length - 1] = -2.25; a[12345] = 3;
    const raw = new Float32Array(k.memory.buffer, s.ptr, s.length);
    assert.deepEqual([raw[0], raw[12345], raw[raw.length - 1]], [1.5, 3, -2.25], 'the view sits at the unsigned address');
    // and a kernel reads it there: first_nonfinite_f32 on a block whose NaN is at a known index
    a[777] = Number.NaN;
    assert.equal(k.first_nonfinite_f32(s.ptr, s.length), 777);
    s.free();
  } finally {
    k.free(filler);
  }
});

test('out of memory is a BackendError naming the function, with nothing left allocated', () => {
  const live0 = k.liveBytes();
  const filler = allocBlock(k, 2 ** 31);
  try {
    const want = WASM_MEMORY_BYTES - 2 ** 31 + 64 * MiB; // cannot fit beside the filler
    assert.ok(want <= MAX_BLOCK_BYTES);
    const withFiller = k.liveBytes();
    assert.throws(() => Storage.alloc('i32', want / 4), (e: unknown) => e instanceof BackendError && e instanceof NarrowgtError &&
      /^Storage\.alloc: WASM memory is full: could not allocate \d+ bytes/.test((e as Error).message));
    assert.equal(k.liveBytes(), withFiller, 'the failed allocation left nothing counted');
  } finally {
    k.free(filler);
  }
  assert.equal(k.liveBytes(), live0, 'nothing left allocated by the failed call');
});

test('a kernel whose own temporary block does not fit aborts as a BackendError that says what, read from the module itself', () => {
  const live0 = k.liveBytes();
  const filler = allocBlock(k, WASM_MEMORY_BYTES - 2 ** 27 - k.liveBytes()); // leaves < 128 MiB
  try {
    // attention_csr_f32 takes its 4-byte-a-row shifts first (assembly/attention_csr.ts): 2²⁶ rows need 256 MiB
    assert.throws(() => k.attention_csr_f32(0, 0, 0, 0, 0, 0, 2 ** 26, 4, 4, 1, 0, 0, 0),
      (e: unknown) => e instanceof BackendError && /^narrowgt kernel: out of memory( \(\S*memory\.ts:\d+:\d+\))?$/.test((e as Error).message));
  } finally {
    k.free(filler);
  }
  assert.equal(k.liveBytes(), live0, 'nothing left allocated');
});

test('sparseAttention that cannot fit its output and weights is a BackendError naming sparseAttention before any allocation', async () => {
  const { DenseMatrix, csrFromEdges, sparseAttention } = await import('../../src/index.js');
  const n = 64, g = csrFromEdges(Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => (i * 7) % n), { numNodes: n, selfLoops: true });
  const q = DenseMatrix.zeros(n, 8, 'f32');
  const filler = allocBlock(k, WASM_MEMORY_BYTES - 2 ** 26 - k.liveBytes() - 1024); // less room than the 64×8 output
  try {
    const live = k.liveBytes();
    k.resetPeakBytes();
    assert.throws(() => sparseAttention(q, q, q, g, { returnWeights: true }),
      (e: unknown) => e instanceof BackendError && /^sparseAttention: the attention on 64 rows and \d+ entries needs about \d+ bytes/.test((e as Error).message));
    assert.equal(k.peakBytes(), live, 'nothing was allocated');
  } finally {
    k.free(filler);
  }
  const ok = sparseAttention(q, q, q, g, { returnWeights: true });
  assert.equal(ok.output.rows, n, 'with the room back, the same call runs');
  ok.output.free(); ok.weights.free(); q.free(); g.free();
});

test('the region table does not overflow: 420 blocks of 8 MiB and more, then freed in an interleaved order, all given back', () => {
  const live0 = k.liveBytes();
  const blocks: number[] = [];
  for (let i = 0; i < 420; i++) blocks.push(allocBlock(k, 8 * MiB + 16 * i));
  assert.ok(blocks.every((p) => p > 0));
  const sorted = [...blocks].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i] - sorted[i - 1] >= 8 * MiB, 'no two blocks overlap');
  // free every other one (free regions between used ones), then the rest: neighbours merge
  for (let i = 0; i < blocks.length; i += 2) k.free(blocks[i]);
  assert.ok(k.largeRegionCount() <= 1023, `${k.largeRegionCount()} regions`);
  for (let i = 1; i < blocks.length; i += 2) k.free(blocks[i]);
  assert.equal(k.liveBytes(), live0);
  assert.ok(k.largeRegionCount() <= 3, `free neighbours merged: ${k.largeRegionCount()} regions left`);
});
