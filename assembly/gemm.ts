// General matrix product C = op(A)·op(B), row-major, f32 (f32x4) and f64 (f64x2).
// Blocking: k is cut into KC-deep slabs; each slab of op(B) is packed into NR-wide column panels
// (zero-padded), so the micro-kernel streams one contiguous panel while MR rows of A stay in L1.
// The row loop is outermost: for the tall-skinny n×D · D×D product that matters most here, every
// row block of A is read once per slab and the whole packed B slab (≤ KC·D floats) stays in L2.
// Accuracy: plain sums of products in the working precision (no compensated summation).
// Preconditions: c does not alias a or b; m, n, k ≥ 1. transA/transB: 0 or 1.
// see: Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (2008).

const KC: i32 = 256;
const MR: i32 = 4;
const NR32: i32 = 8;
const NR64: i32 = 4;

// ---------------------------------------------------------------- f32

function packB_f32(dst: usize, b: usize, brs: i32, bcs: i32, p0: i32, kc: i32, n: i32): void {
  const panels = (n + NR32 - 1) / NR32;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR32;
    const w = min(NR32, n - j0);
    let out = dst + (<usize>jp * <usize>kc * NR32) * 4;
    for (let pp = 0; pp < kc; pp++) {
      const row = b + (<usize>(p0 + pp) * <usize>brs + <usize>j0 * <usize>bcs) * 4;
      for (let c = 0; c < NR32; c++) {
        store<f32>(out + (<usize>c << 2), c < w ? load<f32>(row + (<usize>c * <usize>bcs) * 4) : 0);
      }
      out += NR32 * 4;
    }
  }
}

@inline function store8_f32(dst: usize, lo: v128, hi: v128, w: i32, accumulate: bool): void {
  if (w == NR32) {
    if (accumulate) {
      v128.store(dst, f32x4.add(v128.load(dst), lo));
      v128.store(dst, f32x4.add(v128.load(dst, 16), hi), 16);
    } else {
      v128.store(dst, lo);
      v128.store(dst, hi, 16);
    }
    return;
  }
  // ragged right edge: lane by lane
  for (let c = 0; c < w; c++) {
    let x: f32;
    switch (c) {
      case 0: x = f32x4.extract_lane(lo, 0); break;
      case 1: x = f32x4.extract_lane(lo, 1); break;
      case 2: x = f32x4.extract_lane(lo, 2); break;
      case 3: x = f32x4.extract_lane(lo, 3); break;
      case 4: x = f32x4.extract_lane(hi, 0); break;
      case 5: x = f32x4.extract_lane(hi, 1); break;
      case 6: x = f32x4.extract_lane(hi, 2); break;
      default: x = f32x4.extract_lane(hi, 3);
    }
    const addr = dst + (<usize>c << 2);
    store<f32>(addr, accumulate ? load<f32>(addr) + x : x);
  }
}

export function gemm_f32(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32): void {
  const ars = transA ? 1 : k, acs = transA ? m : 1;
  const brs = transB ? 1 : n, bcs = transB ? k : 1;
  const panels = (n + NR32 - 1) / NR32;
  const kcMax = min(KC, k);
  const packed = heap.alloc(<usize>panels * <usize>kcMax * NR32 * 4);
  const astep = <usize>acs * 4;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const acc = p0 > 0;
    packB_f32(packed, b, brs, bcs, p0, kc, n);
    let i = 0;
    for (; i + MR <= m; i += MR) {
      const a0 = a + (<usize>i * <usize>ars + <usize>p0 * <usize>acs) * 4;
      const a1 = a0 + <usize>ars * 4, a2 = a1 + <usize>ars * 4, a3 = a2 + <usize>ars * 4;
      for (let jp = 0; jp < panels; jp++) {
        let bp = packed + (<usize>jp * <usize>kc * NR32) * 4;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        let off: usize = 0;
        for (let pp = 0; pp < kc; pp++) {
          const b0 = v128.load(bp), b1 = v128.load(bp, 16);
          const x0 = f32x4.splat(load<f32>(a0 + off)), x1 = f32x4.splat(load<f32>(a1 + off));
          const x2 = f32x4.splat(load<f32>(a2 + off)), x3 = f32x4.splat(load<f32>(a3 + off));
          c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
          c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
          c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
          c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
          bp += NR32 * 4;
          off += astep;
        }
        const j0 = jp * NR32, w = min(NR32, n - j0);
        const crow = c + (<usize>i * <usize>n + <usize>j0) * 4, cstep = <usize>n * 4;
        store8_f32(crow, c00, c01, w, acc);
        store8_f32(crow + cstep, c10, c11, w, acc);
        store8_f32(crow + 2 * cstep, c20, c21, w, acc);
        store8_f32(crow + 3 * cstep, c30, c31, w, acc);
      }
    }
    for (; i < m; i++) {
      const a0 = a + (<usize>i * <usize>ars + <usize>p0 * <usize>acs) * 4;
      for (let jp = 0; jp < panels; jp++) {
        let bp = packed + (<usize>jp * <usize>kc * NR32) * 4;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let off: usize = 0;
        for (let pp = 0; pp < kc; pp++) {
          const x0 = f32x4.splat(load<f32>(a0 + off));
          c00 = f32x4.add(c00, f32x4.mul(x0, v128.load(bp)));
          c01 = f32x4.add(c01, f32x4.mul(x0, v128.load(bp, 16)));
          bp += NR32 * 4;
          off += astep;
        }
        const j0 = jp * NR32;
        store8_f32(c + (<usize>i * <usize>n + <usize>j0) * 4, c00, c01, min(NR32, n - j0), acc);
      }
    }
  }
  heap.free(packed);
}

// ---------------------------------------------------------------- f64

function packB_f64(dst: usize, b: usize, brs: i32, bcs: i32, p0: i32, kc: i32, n: i32): void {
  const panels = (n + NR64 - 1) / NR64;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR64;
    const w = min(NR64, n - j0);
    let out = dst + (<usize>jp * <usize>kc * NR64) * 8;
    for (let pp = 0; pp < kc; pp++) {
      const row = b + (<usize>(p0 + pp) * <usize>brs + <usize>j0 * <usize>bcs) * 8;
      for (let c = 0; c < NR64; c++) {
        store<f64>(out + (<usize>c << 3), c < w ? load<f64>(row + (<usize>c * <usize>bcs) * 8) : 0);
      }
      out += NR64 * 8;
    }
  }
}

@inline function store4_f64(dst: usize, lo: v128, hi: v128, w: i32, accumulate: bool): void {
  if (w == NR64) {
    if (accumulate) {
      v128.store(dst, f64x2.add(v128.load(dst), lo));
      v128.store(dst, f64x2.add(v128.load(dst, 16), hi), 16);
    } else {
      v128.store(dst, lo);
      v128.store(dst, hi, 16);
    }
    return;
  }
  for (let c = 0; c < w; c++) {
    let x: f64;
    switch (c) {
      case 0: x = f64x2.extract_lane(lo, 0); break;
      case 1: x = f64x2.extract_lane(lo, 1); break;
      case 2: x = f64x2.extract_lane(hi, 0); break;
      default: x = f64x2.extract_lane(hi, 1);
    }
    const addr = dst + (<usize>c << 3);
    store<f64>(addr, accumulate ? load<f64>(addr) + x : x);
  }
}

export function gemm_f64(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32): void {
  const ars = transA ? 1 : k, acs = transA ? m : 1;
  const brs = transB ? 1 : n, bcs = transB ? k : 1;
  const panels = (n + NR64 - 1) / NR64;
  const kcMax = min(KC, k);
  const packed = heap.alloc(<usize>panels * <usize>kcMax * NR64 * 8);
  const astep = <usize>acs * 8;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const acc = p0 > 0;
    packB_f64(packed, b, brs, bcs, p0, kc, n);
    let i = 0;
    for (; i + MR <= m; i += MR) {
      const a0 = a + (<usize>i * <usize>ars + <usize>p0 * <usize>acs) * 8;
      const a1 = a0 + <usize>ars * 8, a2 = a1 + <usize>ars * 8, a3 = a2 + <usize>ars * 8;
      for (let jp = 0; jp < panels; jp++) {
        let bp = packed + (<usize>jp * <usize>kc * NR64) * 8;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
        let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
        let off: usize = 0;
        for (let pp = 0; pp < kc; pp++) {
          const b0 = v128.load(bp), b1 = v128.load(bp, 16);
          const x0 = f64x2.splat(load<f64>(a0 + off)), x1 = f64x2.splat(load<f64>(a1 + off));
          const x2 = f64x2.splat(load<f64>(a2 + off)), x3 = f64x2.splat(load<f64>(a3 + off));
          c00 = f64x2.add(c00, f64x2.mul(x0, b0)); c01 = f64x2.add(c01, f64x2.mul(x0, b1));
          c10 = f64x2.add(c10, f64x2.mul(x1, b0)); c11 = f64x2.add(c11, f64x2.mul(x1, b1));
          c20 = f64x2.add(c20, f64x2.mul(x2, b0)); c21 = f64x2.add(c21, f64x2.mul(x2, b1));
          c30 = f64x2.add(c30, f64x2.mul(x3, b0)); c31 = f64x2.add(c31, f64x2.mul(x3, b1));
          bp += NR64 * 8;
          off += astep;
        }
        const j0 = jp * NR64, w = min(NR64, n - j0);
        const crow = c + (<usize>i * <usize>n + <usize>j0) * 8, cstep = <usize>n * 8;
        store4_f64(crow, c00, c01, w, acc);
        store4_f64(crow + cstep, c10, c11, w, acc);
        store4_f64(crow + 2 * cstep, c20, c21, w, acc);
        store4_f64(crow + 3 * cstep, c30, c31, w, acc);
      }
    }
    for (; i < m; i++) {
      const a0 = a + (<usize>i * <usize>ars + <usize>p0 * <usize>acs) * 8;
      for (let jp = 0; jp < panels; jp++) {
        let bp = packed + (<usize>jp * <usize>kc * NR64) * 8;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
        let off: usize = 0;
        for (let pp = 0; pp < kc; pp++) {
          const x0 = f64x2.splat(load<f64>(a0 + off));
          c00 = f64x2.add(c00, f64x2.mul(x0, v128.load(bp)));
          c01 = f64x2.add(c01, f64x2.mul(x0, v128.load(bp, 16)));
          bp += NR64 * 8;
          off += astep;
        }
        const j0 = jp * NR64;
        store4_f64(c + (<usize>i * <usize>n + <usize>j0) * 8, c00, c01, min(NR64, n - j0), acc);
      }
    }
  }
  heap.free(packed);
}
