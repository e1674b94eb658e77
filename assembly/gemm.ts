// General matrix product C = op(A)·op(B), row-major, f32 (f32x4) and f64 (f64x2), one generic body.
// Blocking (Goto & van de Geijn): k is cut into KC-deep slabs; each slab of op(B) is packed into
// NR-wide column panels and each MR-row block of op(A) into an MR-interleaved strip (both
// zero-padded), so the micro-kernel reads two contiguous streams with constant offsets whatever
// the transposes, and ragged edges are only a question of which part of the tile gets stored.
// When op(A) = Aᵀ, up to MC rows of op(A) are packed at once by a sweep along the rows of A
// (packATransposedBlock), into strips one cache line further apart than their size.
// Register tile: MR = 4 rows × NR = 2 vectors (8 f32 or 4 f64 columns): 8 accumulators, 2 B vectors
// and one broadcast A value, within the 15 XMM registers V8 gives WebAssembly on x64; A values are
// broadcast straight from memory (v128.load_splat). A last panel at most half full gets a one-vector
// tile (halfTile) instead of a padded full one.
// For op(A) = A of 8 MB and more (read from memory, not cache), the first four tiles of each strip also load one
// row each of the next strip (tileTouching), so its packing finds them in cache (docs/performance.md).
// The row loop is outermost: for the tall-skinny n×D · D×D product that matters most here, every
// row block of A is read once per slab and the whole packed B slab (≤ KC·D values) stays in L2.
// Per k step: 8 multiply-adds (assembly/fma.ts: 8 multiplies and 8 adds in the plain build, fused where the
// relaxed-SIMD build runs on FMA hardware), 2 + 4 loads.
// Accuracy: plain sums of products in the working precision (no compensated summation).
// Preconditions: c does not alias a or b; m, n, k ≥ 1. transA/transB: 0 or 1.
// see: K. Goto & R. van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3), 2008

import { alloc, free } from "./memory";
import { madd } from "./fma";

const KC: i32 = 256;
const MR: i32 = 4;

/** Columns of one register tile: two vectors of T. */
@inline function nr<T>(): i32 {
  return 32 / <i32>sizeof<T>();
}

/**
 * Packs rows [p0, p0 + kc) of op(B) into panels of nr<T>() columns, panel after panel, each stored
 * row by row (kc × nr values), the columns past n zero.
 */
function packB<T>(dst: usize, b: usize, brs: i32, bcs: i32, p0: i32, kc: i32, n: i32): void {
  const NR = nr<T>();
  const size = <usize>sizeof<T>();
  const panels = (n + NR - 1) / NR;
  let out = dst;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    if (w == NR && bcs == 1) {
      // op(B) = B: each panel row is 32 contiguous bytes
      let row = b + (<usize>p0 * <usize>brs + <usize>j0) * size;
      const step = <usize>brs * size;
      for (let pp = 0; pp < kc; pp++) {
        v128.store(out, v128.load(row));
        v128.store(out, v128.load(row, 16), 16);
        row += step;
        out += 32;
      }
    } else {
      for (let pp = 0; pp < kc; pp++) {
        const row = b + (<usize>(p0 + pp) * <usize>brs + <usize>j0 * <usize>bcs) * size;
        for (let c = 0; c < NR; c++) {
          store<T>(out + <usize>c * size, c < w ? load<T>(row + <usize>c * <usize>bcs * size) : <T>0);
        }
        out += 32;
      }
    }
  }
}

/**
 * Packs rows [i0, i0 + mr) × columns [p0, p0 + kc) of op(A) into dst as kc groups of MR values
 * (value (i0 + r, p0 + p) at p·MR + r), rows past mr zero.
 */
function packA<T>(dst: usize, a: usize, ars: i32, acs: i32, i0: i32, mr: i32, p0: i32, kc: i32): void {
  const size = <usize>sizeof<T>();
  if (mr == MR && ars == 1) {
    // op(A) = Aᵀ: the MR values of one k step are contiguous in A
    let src = a + (<usize>p0 * <usize>acs + <usize>i0) * size;
    const step = <usize>acs * size;
    for (let pp = 0; pp < kc; pp++) {
      v128.store(dst + <usize>pp * MR * size, v128.load(src));
      if (size == 8) v128.store(dst + <usize>pp * MR * size, v128.load(src, 16), 16);
      src += step;
    }
    return;
  }
  if (mr == MR && acs == 1) {
    // op(A) = A: four row pointers, 4 (f32) or 2 (f64) k steps per visit, transposed in registers
    const r0 = a + (<usize>i0 * <usize>ars + <usize>p0) * size, rs = <usize>ars * size;
    const r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
    const step = <usize>(16 / size);
    let pp = 0;
    for (; pp + <i32>step <= kc; pp += <i32>step) {
      const o = <usize>pp * size, d = dst + <usize>pp * MR * size;
      const x0 = v128.load(r0 + o), x1 = v128.load(r1 + o), x2 = v128.load(r2 + o), x3 = v128.load(r3 + o);
      if (size == 4) {
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
      } else {
        v128.store(d, v128.shuffle<f64>(x0, x1, 0, 2));
        v128.store(d, v128.shuffle<f64>(x2, x3, 0, 2), 16);
        v128.store(d, v128.shuffle<f64>(x0, x1, 1, 3), 32);
        v128.store(d, v128.shuffle<f64>(x2, x3, 1, 3), 48);
      }
    }
    for (; pp < kc; pp++) {
      const o = <usize>pp * size, d = dst + <usize>pp * MR * size;
      store<T>(d, load<T>(r0 + o)); store<T>(d + size, load<T>(r1 + o));
      store<T>(d + 2 * size, load<T>(r2 + o)); store<T>(d + 3 * size, load<T>(r3 + o));
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    let out = dst + <usize>r * size;
    if (r < mr) {
      let src = a + (<usize>(i0 + r) * <usize>ars + <usize>p0 * <usize>acs) * size;
      const step = <usize>acs * size;
      for (let pp = 0; pp < kc; pp++) {
        store<T>(out, load<T>(src));
        src += step;
        out += <usize>MR * size;
      }
    } else {
      for (let pp = 0; pp < kc; pp++) {
        store<T>(out, <T>0);
        out += <usize>MR * size;
      }
    }
  }
}

/** Where a ragged tile's accumulators wait before their valid part is copied out (a worker's own: threads.ts). */
let TILE: usize = memory.data(4 * 32, 16);

/** Points this instance's ragged-tile buffer (128 bytes, 16-aligned) elsewhere: a thread-pool worker's own. */
export function set_gemm_tile(p: usize): void {
  TILE = p;
}

/**
 * C[0 .. mr) × [0 .. w) (row stride ldc values) = (or +=, when accumulate) the MR × NR tile
 * Σ_p ap[p·MR + r] · bp[p·NR + c], p < kc.
 */
function tile<T>(c: usize, ldc: i32, ap: usize, bp: usize, kc: i32, mr: i32, w: i32, accumulate: bool): void {
  const size = <usize>sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0), c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0), c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load_splat<T>(ap);
    c00 = madd<T>(x, b0, c00); c01 = madd<T>(x, b1, c01);
    x = v128.load_splat<T>(ap, size);
    c10 = madd<T>(x, b0, c10); c11 = madd<T>(x, b1, c11);
    x = v128.load_splat<T>(ap, 2 * size);
    c20 = madd<T>(x, b0, c20); c21 = madd<T>(x, b1, c21);
    x = v128.load_splat<T>(ap, 3 * size);
    c30 = madd<T>(x, b0, c30); c31 = madd<T>(x, b1, c31);
    ap += 4 * size;
    bp += 32;
  }
  storeTile<T>(c, <usize>ldc * size, mr, w, accumulate, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * Writes a 4 × 2-vector register tile to C (row stride rowStep bytes), adding to it when accumulating: whole when
 * the tile is full, else parked in TILE and its valid mr × w part copied out.
 */
@inline function storeTile<T>(c: usize, rowStep: usize, mr: i32, w: i32, accumulate: bool,
                              c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  if (mr == MR && w == nr<T>()) {
    const c1 = c + rowStep, c2 = c1 + rowStep, c3 = c2 + rowStep;
    if (accumulate) {
      c00 = v128.add<T>(c00, v128.load(c)); c01 = v128.add<T>(c01, v128.load(c, 16));
      c10 = v128.add<T>(c10, v128.load(c1)); c11 = v128.add<T>(c11, v128.load(c1, 16));
      c20 = v128.add<T>(c20, v128.load(c2)); c21 = v128.add<T>(c21, v128.load(c2, 16));
      c30 = v128.add<T>(c30, v128.load(c3)); c31 = v128.add<T>(c31, v128.load(c3, 16));
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c1, c10); v128.store(c1, c11, 16);
    v128.store(c2, c20); v128.store(c2, c21, 16);
    v128.store(c3, c30); v128.store(c3, c31, 16);
    return;
  }
  // ragged tile: park the accumulators, copy out the valid mr × w part
  v128.store(TILE, c00); v128.store(TILE, c01, 16); v128.store(TILE, c10, 32); v128.store(TILE, c11, 48);
  v128.store(TILE, c20, 64); v128.store(TILE, c21, 80); v128.store(TILE, c30, 96); v128.store(TILE, c31, 112);
  copyParked<T>(c, rowStep, mr, w, accumulate);
}

/** Copies the valid mr × w part of a tile parked in TILE (rows 32 bytes apart) to C, adding to it when accumulating. */
@inline function copyParked<T>(c: usize, rowStep: usize, mr: i32, w: i32, accumulate: bool): void {
  const size = <usize>sizeof<T>();
  for (let r = 0; r < mr; r++) {
    const src = TILE + <usize>r * 32, dst = c + <usize>r * rowStep;
    for (let j = 0; j < w; j++) {
      const o = <usize>j * size;
      store<T>(dst + o, accumulate ? load<T>(dst + o) + load<T>(src + o) : load<T>(src + o));
    }
  }
}

/** Where tileTouching's touched values go, so that its loads are kept. */
let SINK: usize = memory.data(16, 16);

/**
 * tile() that also loads 16 bytes every 8 k steps from touch onwards (kc·sizeof<T>() bytes in all): a part of A
 * the next packing will read, brought in from memory while this tile computes instead of while the packing
 * waits for it. WebAssembly has no prefetch instruction, so the values are loaded and OR-ed into SINK. Same
 * products in the same order as tile().
 */
function tileTouching<T>(c: usize, ldc: i32, ap: usize, bp: usize, kc: i32, mr: i32, w: i32, accumulate: bool, touch: usize): void {
  const size = <usize>sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0), c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0), c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  let sink = v128.splat<i32>(0);
  let p = 0;
  for (; p + 8 <= kc; p += 8) {
    sink = v128.or(sink, v128.load(touch));
    touch += 8 * size;
    for (let s = 0; s < 8; s++) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let x = v128.load_splat<T>(ap);
      c00 = madd<T>(x, b0, c00); c01 = madd<T>(x, b1, c01);
      x = v128.load_splat<T>(ap, size);
      c10 = madd<T>(x, b0, c10); c11 = madd<T>(x, b1, c11);
      x = v128.load_splat<T>(ap, 2 * size);
      c20 = madd<T>(x, b0, c20); c21 = madd<T>(x, b1, c21);
      x = v128.load_splat<T>(ap, 3 * size);
      c30 = madd<T>(x, b0, c30); c31 = madd<T>(x, b1, c31);
      ap += 4 * size;
      bp += 32;
    }
  }
  for (; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load_splat<T>(ap);
    c00 = madd<T>(x, b0, c00); c01 = madd<T>(x, b1, c01);
    x = v128.load_splat<T>(ap, size);
    c10 = madd<T>(x, b0, c10); c11 = madd<T>(x, b1, c11);
    x = v128.load_splat<T>(ap, 2 * size);
    c20 = madd<T>(x, b0, c20); c21 = madd<T>(x, b1, c21);
    x = v128.load_splat<T>(ap, 3 * size);
    c30 = madd<T>(x, b0, c30); c31 = madd<T>(x, b1, c31);
    ap += 4 * size;
    bp += 32;
  }
  v128.store(SINK, sink);
  storeTile<T>(c, <usize>ldc * size, mr, w, accumulate, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * The tile for a last panel at most half full (w ≤ nr/2 columns): one vector per row, half the
 * multiplies of tile(). With n = 26 f64 columns (the randomized SVD's sketches) the last panel has 2
 * columns, and the full tile would spend 1/7 of the product on padding.
 */
function halfTile<T>(c: usize, ldc: i32, ap: usize, bp: usize, kc: i32, mr: i32, w: i32, accumulate: bool): void {
  const size = <usize>sizeof<T>();
  let c0 = v128.splat<T>(0), c1 = v128.splat<T>(0), c2 = v128.splat<T>(0), c3 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    c0 = madd<T>(v128.load_splat<T>(ap), b0, c0);
    c1 = madd<T>(v128.load_splat<T>(ap, size), b0, c1);
    c2 = madd<T>(v128.load_splat<T>(ap, 2 * size), b0, c2);
    c3 = madd<T>(v128.load_splat<T>(ap, 3 * size), b0, c3);
    ap += 4 * size;
    bp += 32;
  }
  v128.store(TILE, c0); v128.store(TILE, c1, 32); v128.store(TILE, c2, 64); v128.store(TILE, c3, 96);
  const rowStep = <usize>ldc * size;
  copyParked<T>(c, rowStep, mr, w, accumulate);
}

/**
 * op(A) = Aᵀ: packs rows [i0, i0 + mc) of op(A) (columns of A) × [p0, p0 + kc) into ⌈mc/MR⌉ strips of
 * stripBytes each, in packA's layout, sweeping A row by row: each row of A contributes one contiguous
 * mc-value piece, so A is read in sequential runs the hardware prefetcher follows, where strip-by-strip
 * packing would read MR values from each of kc rows in turn (a cache miss per row, 2 KB apart for the
 * randomized SVD's 20000×256 A, the prefetcher unable to run ahead of a stride that large).
 */
function packATransposedBlock<T>(dst: usize, stripBytes: usize, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32): void {
  const size = <usize>sizeof<T>();
  const full = mc / MR, rest = mc - full * MR;
  for (let pp = 0; pp < kc; pp++) {
    let src = a + (<usize>(p0 + pp) * <usize>lda + <usize>i0) * size;
    let out = dst + <usize>pp * MR * size;
    for (let s = 0; s < full; s++) {
      v128.store(out, v128.load(src));
      if (size == 8) v128.store(out, v128.load(src, 16), 16);
      src += <usize>MR * size;
      out += stripBytes;
    }
    if (rest > 0) {
      for (let r = 0; r < MR; r++) store<T>(out + <usize>r * size, r < rest ? load<T>(src + <usize>r * size) : <T>0);
    }
  }
}

/** Rows of op(A) packed at once when op(A) = Aᵀ (MC·KC values: 512 KB in f64, inside L2). */
const MC: i32 = 256;

/** A of at least this many bytes is read from memory by each product: its tiles touch it ahead (tileTouching). */
const TOUCH_BYTES: u64 = 8 << 20;

function gemm<T>(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, lda: i32, ldb: i32, ldc: i32): void {
  const size = <usize>sizeof<T>();
  const NR = nr<T>();
  const ars = transA ? 1 : lda, acs = transA ? lda : 1;
  const brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
  const panels = (n + NR - 1) / NR;
  const kcMax = min(KC, k);
  // strips of a block one cache line further apart than their size, so the block packing's stores to
  // successive strips do not all fall into one L1 set (8 KB apart, they would)
  const stripBytes = <usize>kcMax * MR * size + 64;
  const bpack = alloc(<usize>panels * <usize>kcMax * 32);
  const blockRows = transA ? min(MC, m) : MR; // op(A) rows packed at once
  const apack = alloc(<usize>((blockRows + MR - 1) / MR) * stripBytes);
  const bigA = <u64>m * <u64>k * <u64>size >= TOUCH_BYTES;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const acc = p0 > 0;
    packB<T>(bpack, b, brs, bcs, p0, kc, n);
    for (let ib = 0; ib < m; ib += blockRows) {
      const mc = min(blockRows, m - ib);
      if (transA) packATransposedBlock<T>(apack, stripBytes, a, lda, ib, mc, p0, kc);
      for (let i = ib; i < ib + mc; i += MR) {
        const mr = min(MR, m - i);
        const strip = apack + <usize>((i - ib) / MR) * stripBytes;
        if (!transA) packA<T>(strip, a, ars, acs, i, mr, p0, kc);
        const crow = c + <usize>i * <usize>ldc * size;
        // Where this strip's tiles touch A ahead of the packing (tileTouching), [touch, touchEnd), 0 for none: for
        // op(A) = A, the next strip's MR rows, one row a tile, when A is too large to stay in the caches between
        // products. (Not for op(A) = Aᵀ: the next slab's 512 KB would evict the packed block from L2.)
        let touch: usize = 0, touchEnd: usize = 0, touchStep: usize = 0;
        if (bigA && kc >= 64) {
          if (!transA && acs == 1 && mr == MR && i + 2 * MR <= m) {
            touch = a + (<usize>(i + MR) * <usize>ars + <usize>p0) * size;
            touchStep = <usize>ars * size;
            touchEnd = touch + <usize>MR * touchStep;
          }
        }
        for (let jp = 0; jp < panels; jp++) {
          const j0 = jp * NR, w = min(NR, n - j0);
          if (w * 2 <= NR) halfTile<T>(crow + <usize>j0 * size, ldc, strip, bpack + <usize>jp * <usize>kc * 32, kc, mr, w, acc);
          else if (touch != 0 && touch + <usize>kc * size <= touchEnd) {
            tileTouching<T>(crow + <usize>j0 * size, ldc, strip, bpack + <usize>jp * <usize>kc * 32, kc, mr, w, acc, touch);
            touch += touchStep;
          } else tile<T>(crow + <usize>j0 * size, ldc, strip, bpack + <usize>jp * <usize>kc * 32, kc, mr, w, acc);
        }
      }
    }
  }
  free(apack);
  free(bpack);
}

/** C (m×n) = op(A)·op(B) in f32 (f32x4 lanes). */
export function gemm_f32(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32): void {
  gemm<f32>(c, a, b, m, n, k, transA, transB, transA ? m : k, transB ? k : n, n);
}

/** C (m×n) = op(A)·op(B) in f64 (f64x2 lanes). */
export function gemm_f64(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32): void {
  gemm<f64>(c, a, b, m, n, k, transA, transB, transA ? m : k, transB ? k : n, n);
}

/**
 * gemm_f32 with explicit row strides (in values) of A, B and C as stored: the thread pool's row panels of C, which
 * for op(A) = Aᵀ are column ranges of A (lda the full row length of A).
 */
export function gemm_ld_f32(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, lda: i32, ldb: i32, ldc: i32): void {
  gemm<f32>(c, a, b, m, n, k, transA, transB, lda, ldb, ldc);
}

/** gemm_f64 with explicit row strides (see gemm_ld_f32). */
export function gemm_ld_f64(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32, lda: i32, ldb: i32, ldc: i32): void {
  gemm<f64>(c, a, b, m, n, k, transA, transB, lda, ldb, ldc);
}
