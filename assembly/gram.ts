// Gram matrix G = YᵀY (f64) of a tall-skinny row-major Y (m×n, n small: the randomized SVD's sketches),
// for the CholeskyQR orthonormalisation (src/linalg/cholesky-qr.ts). Only the tiles on and above the
// diagonal are computed (G is symmetric), about (n/4 + 1)/(2·n/4) of what gemm would do, and the lower
// triangle is copied from the upper one at the end.
// Rows go in slabs of KC: a slab is copied into a zero-padded buffer whose row stride is n rounded up to
// 4 (so every 4×4 tile reads whole vectors and nothing past the end of Y), then each upper tile
// accumulates Σ_p y_p[i..i+4)ᵀ·y_p[j..j+4) over the slab in registers (4 broadcasts, 2 vector loads,
// 8 multiply-adds per row through assembly/fma.ts, as gemm's tile) and adds it to G.
// Summation order: each entry is Σ over a slab's rows in order, added slab after slab to G (the twin,
// src/twin/gram.ts, sums in the same order, so the same bits in the plain build; the relaxed-SIMD build may
// fuse each multiply-add, one rounding instead of two, so its bits differ but stay within the same bound).
// Preconditions: m, n ≥ 1; g holds n·n f64 and does not alias y.
import { alloc, free } from "./memory";
import { madd_f64x2 } from "./fma";

/** Rows per slab: a padded slab of a 26-column Y is 128·28·8 = 28 KB, inside L1. */
const GRAM_KC: i32 = 128;

/** Where a tile's accumulators wait before their valid part is added to G. */
const TILE: usize = memory.data(128, 16);

/** The 4×4 block of G at (gi, gj) (row stride n values) += the sums over `rows` padded rows of stride ld. */
function gramTile(g: usize, n: i32, gi: i32, gj: i32, slab: usize, ld: usize, rows: i32, first: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  let pi = slab + (<usize>gi << 3), pj = slab + (<usize>gj << 3);
  for (let p = 0; p < rows; p++) {
    const b0 = v128.load(pj), b1 = v128.load(pj, 16);
    let x = v128.load_splat<f64>(pi);
    c00 = madd_f64x2(x, b0, c00); c01 = madd_f64x2(x, b1, c01);
    x = v128.load_splat<f64>(pi, 8);
    c10 = madd_f64x2(x, b0, c10); c11 = madd_f64x2(x, b1, c11);
    x = v128.load_splat<f64>(pi, 16);
    c20 = madd_f64x2(x, b0, c20); c21 = madd_f64x2(x, b1, c21);
    x = v128.load_splat<f64>(pi, 24);
    c30 = madd_f64x2(x, b0, c30); c31 = madd_f64x2(x, b1, c31);
    pi += ld;
    pj += ld;
  }
  const t = TILE;
  v128.store(t, c00); v128.store(t, c01, 16); v128.store(t, c10, 32); v128.store(t, c11, 48);
  v128.store(t, c20, 64); v128.store(t, c21, 80); v128.store(t, c30, 96); v128.store(t, c31, 112);
  const ri = min(4, n - gi), rj = min(4, n - gj);
  for (let r = 0; r < ri; r++) {
    for (let c = 0; c < rj; c++) {
      const dst = g + ((<usize>(gi + r) * <usize>n + <usize>(gj + c)) << 3);
      const s = load<f64>(t + ((<usize>(r * 4 + c)) << 3));
      store<f64>(dst, first ? s : load<f64>(dst) + s);
    }
  }
}

/** g (n×n, row-major) := yᵀ·y for y m×n row-major. */
export function gram_f64(g: usize, y: usize, m: i32, n: i32): void {
  const np = (n + 3) & ~3;
  const ld = <usize>np << 3;
  const slab = alloc(<usize>GRAM_KC * ld);
  memory.fill(slab, 0, <usize>GRAM_KC * ld);
  const rowBytes = <usize>n << 3;
  for (let p0 = 0; p0 < m; p0 += GRAM_KC) {
    const rows = min(GRAM_KC, m - p0);
    // row by row with vector loads and stores: 20000 rows of a few hundred bytes are too short for memory.copy's
    // per-call cost
    let src = y + <usize>p0 * rowBytes, dst = slab;
    for (let p = 0; p < rows; p++) {
      let o: usize = 0;
      for (; o + 16 <= rowBytes; o += 16) v128.store(dst + o, v128.load(src + o));
      if (o < rowBytes) store<f64>(dst + o, load<f64>(src + o));
      src += rowBytes;
      dst += ld;
    }
    for (let gi = 0; gi < n; gi += 4) {
      for (let gj = gi; gj < n; gj += 4) gramTile(g, n, gi, gj, slab, ld, rows, p0 == 0);
    }
  }
  free(slab);
  // the lower triangle from the upper one (a diagonal tile's own lower part is overwritten with the same values)
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) store<f64>(g + ((<usize>i * <usize>n + <usize>j) << 3), load<f64>(g + ((<usize>j * <usize>n + <usize>i) << 3)));
  }
}
