// Row-wise elementwise kernels of training, f32 (f32x4): sums, bias, ReLU, and full-batch batch norm.
// Matrices are row-major rows×cols. Column reductions add whole rows into an f32 accumulator row
// (contiguous, SIMD) and flush it into f64 totals every FLUSH rows, so the rounding error of a column
// sum is ~FLUSH·2⁻²⁴ relative per block plus f64 rounding across blocks, instead of rows·2⁻²⁴.
// Preconditions: the f32 scratch holds what each kernel states; no aliasing
// unless stated. Kernels never throw.

import { alloc, free } from "./memory";

const FLUSH = 64;

/** a ← a + b over len floats (a may equal b). */
export function add_f32(a: usize, b: usize, len: i32): void {
  let t = 0;
  for (; t + 4 <= len; t += 4) {
    const o = <usize>t << 2;
    v128.store(a + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; t < len; t++) { const o = <usize>t << 2; store<f32>(a + o, load<f32>(a + o) + load<f32>(b + o)); }
}

@inline function axpy_row(y: usize, x: usize, alpha: f32, cols: i32): void {
  const av = f32x4.splat(alpha);
  let t = 0;
  for (; t + 4 <= cols; t += 4) {
    const o = <usize>t << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; t < cols; t++) { const o = <usize>t << 2; store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o)); }
}

/** y_i ← y_i + b for every row i (b: cols floats). */
export function add_row_vector_f32(y: usize, b: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  for (let i = 0; i < rows; i++) axpy_row(y + <usize>i * stride, b, 1, cols);
}

/** x ← max(x, 0) over len floats. */
export function relu_f32(x: usize, len: i32): void {
  const zero = f32x4.splat(0);
  let t = 0;
  for (; t + 4 <= len; t += 4) { const o = <usize>t << 2; v128.store(x + o, f32x4.max(v128.load(x + o), zero)); }
  for (; t < len; t++) { const o = <usize>t << 2; store<f32>(x + o, max(load<f32>(x + o), 0)); }
}

/**
 * y_i ← max(y_i + b, 0) for every row i (b: cols floats, or 0 for no bias) — the FFN's bias and ReLU in
 * one pass. `pmax(x, 0)` is `x < 0 ? 0 : x`: NaN and −0 pass through, as in the model's JS loop.
 */
export function bias_relu_f32(y: usize, b: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const yi = y + <usize>i * stride;
    let t = 0;
    if (b) {
      for (; t + 4 <= cols; t += 4) {
        const o = <usize>t << 2;
        v128.store(yi + o, f32x4.pmax(f32x4.add(v128.load(yi + o), v128.load(b + o)), zero));
      }
      for (; t < cols; t++) { const o = <usize>t << 2; const x = load<f32>(yi + o) + load<f32>(b + o); store<f32>(yi + o, x < 0 ? 0 : x); }
    } else {
      for (; t + 4 <= cols; t += 4) { const o = <usize>t << 2; v128.store(yi + o, f32x4.pmax(v128.load(yi + o), zero)); }
      for (; t < cols; t++) { const o = <usize>t << 2; const x = load<f32>(yi + o); store<f32>(yi + o, x < 0 ? 0 : x); }
    }
  }
}

/**
 * y_i ← (y_i + b) + r_i for every row i (b: cols floats, or 0 for no bias; r: rows×cols, may equal y) —
 * a layer's output bias and skip connection in one pass, rounded after each add like two separate passes.
 */
export function add_bias_residual_f32(y: usize, b: usize, r: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const yi = y + <usize>i * stride, ri = r + <usize>i * stride;
    let t = 0;
    if (b) {
      for (; t + 4 <= cols; t += 4) {
        const o = <usize>t << 2;
        v128.store(yi + o, f32x4.add(f32x4.add(v128.load(yi + o), v128.load(b + o)), v128.load(ri + o)));
      }
      for (; t < cols; t++) { const o = <usize>t << 2; store<f32>(yi + o, (load<f32>(yi + o) + load<f32>(b + o)) + load<f32>(ri + o)); }
    } else {
      for (; t + 4 <= cols; t += 4) { const o = <usize>t << 2; v128.store(yi + o, f32x4.add(v128.load(yi + o), v128.load(ri + o))); }
      for (; t < cols; t++) { const o = <usize>t << 2; store<f32>(yi + o, load<f32>(yi + o) + load<f32>(ri + o)); }
    }
  }
}

/** g ← g where x > 0, else 0 (the ReLU backward, given the ReLU's output x). */
export function relu_backward_f32(g: usize, x: usize, len: i32): void {
  const zero = f32x4.splat(0);
  let t = 0;
  for (; t + 4 <= len; t += 4) {
    const o = <usize>t << 2;
    v128.store(g + o, v128.and(v128.load(g + o), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; t < len; t++) { const o = <usize>t << 2; if (!(load<f32>(x + o) > 0)) store<f32>(g + o, 0); }
}

@inline function flush(out: usize, acc: usize, cols: i32): void {
  for (let j = 0; j < cols; j++) {
    const o64 = out + (<usize>j << 3), o32 = acc + (<usize>j << 2);
    store<f64>(o64, load<f64>(o64) + <f64>load<f32>(o32));
    store<f32>(o32, 0);
  }
}

/** out (cols f64) ← Σ_i y_i. scratch: cols f32. */
export function column_sums_f32(out: usize, y: usize, rows: i32, cols: i32, scratch: usize): void {
  column_sums_ld(out, y, rows, cols, cols, scratch);
}

/** column_sums_f32 over cols columns of rows ld floats apart (a column range of a wider matrix). */
function column_sums_ld(out: usize, y: usize, rows: i32, cols: i32, ld: i32, scratch: usize): void {
  const stride = <usize>cols << 2, rowStep = <usize>ld << 2;
  memory.fill(out, 0, <usize>cols << 3);
  memory.fill(scratch, 0, stride);
  for (let i = 0; i < rows; i++) {
    axpy_row(scratch, y + <usize>i * rowStep, 1, cols);
    if ((i + 1) % FLUSH == 0) flush(out, scratch, cols);
  }
  flush(out, scratch, cols);
}

/**
 * Full-batch batch norm: μ, σ² (biased) of each column of z (two passes), invStd = 1/√(σ² + eps),
 * xhat ← (z − μ)·invStd, y ← γ ⊙ xhat + β. mean, invStd: cols f64 outputs; scratch: 3·cols f32.
 */
export function batch_norm_forward_f32(y: usize, xhat: usize, mean: usize, invStd: usize, z: usize, gamma: usize, beta: usize,
                                       rows: i32, cols: i32, eps: f64, scratch: usize): void {
  batch_norm_forward_ld(y, xhat, mean, invStd, z, gamma, beta, rows, cols, cols, eps, scratch);
}

/** batch_norm_forward_f32 over cols columns of rows ld floats apart (y, xhat and z alike). */
function batch_norm_forward_ld(y: usize, xhat: usize, mean: usize, invStd: usize, z: usize, gamma: usize, beta: usize,
                               rows: i32, cols: i32, ld: i32, eps: f64, scratch: usize): void {
  const stride = <usize>cols << 2, rowStep = <usize>ld << 2;
  const acc = scratch, mu32 = scratch + stride, is32 = scratch + 2 * stride;
  column_sums_ld(mean, z, rows, cols, ld, acc);
  for (let j = 0; j < cols; j++) {
    const m = load<f64>(mean + (<usize>j << 3)) / <f64>rows;
    store<f64>(mean + (<usize>j << 3), m);
    store<f32>(mu32 + (<usize>j << 2), <f32>m);
  }
  // Σ (z − μ)², flushed like the column sums (invStd holds the f64 totals meanwhile).
  memory.fill(invStd, 0, <usize>cols << 3);
  memory.fill(acc, 0, stride);
  for (let i = 0; i < rows; i++) {
    const zi = z + <usize>i * rowStep;
    let t = 0;
    for (; t + 4 <= cols; t += 4) {
      const o = <usize>t << 2;
      const c = f32x4.sub(v128.load(zi + o), v128.load(mu32 + o));
      v128.store(acc + o, f32x4.add(v128.load(acc + o), f32x4.mul(c, c)));
    }
    for (; t < cols; t++) {
      const o = <usize>t << 2;
      const c = load<f32>(zi + o) - load<f32>(mu32 + o);
      store<f32>(acc + o, load<f32>(acc + o) + c * c);
    }
    if ((i + 1) % FLUSH == 0) flush(invStd, acc, cols);
  }
  flush(invStd, acc, cols);
  for (let j = 0; j < cols; j++) {
    const s = 1 / Math.sqrt(load<f64>(invStd + (<usize>j << 3)) / <f64>rows + eps);
    store<f64>(invStd + (<usize>j << 3), s);
    store<f32>(is32 + (<usize>j << 2), <f32>s);
  }
  for (let i = 0; i < rows; i++) {
    const zi = z + <usize>i * rowStep, xi = xhat + <usize>i * rowStep, yi = y + <usize>i * rowStep;
    let t = 0;
    for (; t + 4 <= cols; t += 4) {
      const o = <usize>t << 2;
      const x = f32x4.mul(f32x4.sub(v128.load(zi + o), v128.load(mu32 + o)), v128.load(is32 + o));
      v128.store(xi + o, x);
      v128.store(yi + o, f32x4.add(f32x4.mul(v128.load(gamma + o), x), v128.load(beta + o)));
    }
    for (; t < cols; t++) {
      const o = <usize>t << 2;
      const x = (load<f32>(zi + o) - load<f32>(mu32 + o)) * load<f32>(is32 + o);
      store<f32>(xi + o, x);
      store<f32>(yi + o, load<f32>(gamma + o) * x + load<f32>(beta + o));
    }
  }
}

/**
 * Backward of batch_norm_forward_f32: sumDy = Σ_i dy_i, sumDyX = Σ_i dy_i ⊙ xhat_i (cols f64 outputs:
 * dβ and dγ), dz_i ← γ ⊙ invStd ⊙ (dy_i − sumDy/n − xhat_i ⊙ sumDyX/n). scratch: 4·cols f32.
 */
export function batch_norm_backward_f32(dz: usize, sumDy: usize, sumDyX: usize, dy: usize, xhat: usize, gamma: usize, invStd: usize,
                                        rows: i32, cols: i32, scratch: usize): void {
  batch_norm_backward_ld(dz, sumDy, sumDyX, dy, xhat, gamma, invStd, rows, cols, cols, scratch);
}

/** batch_norm_backward_f32 over cols columns of rows ld floats apart (dz, dy and xhat alike). */
function batch_norm_backward_ld(dz: usize, sumDy: usize, sumDyX: usize, dy: usize, xhat: usize, gamma: usize, invStd: usize,
                                rows: i32, cols: i32, ld: i32, scratch: usize): void {
  const stride = <usize>cols << 2, rowStep = <usize>ld << 2;
  const acc = scratch, acc2 = scratch + stride, coef = scratch + 2 * stride, shift = scratch + 3 * stride;
  memory.fill(sumDy, 0, <usize>cols << 3);
  memory.fill(sumDyX, 0, <usize>cols << 3);
  memory.fill(acc, 0, 2 * stride);
  for (let i = 0; i < rows; i++) {
    const di = dy + <usize>i * rowStep, xi = xhat + <usize>i * rowStep;
    let t = 0;
    for (; t + 4 <= cols; t += 4) {
      const o = <usize>t << 2;
      const d = v128.load(di + o);
      v128.store(acc + o, f32x4.add(v128.load(acc + o), d));
      v128.store(acc2 + o, f32x4.add(v128.load(acc2 + o), f32x4.mul(d, v128.load(xi + o))));
    }
    for (; t < cols; t++) {
      const o = <usize>t << 2;
      const d = load<f32>(di + o);
      store<f32>(acc + o, load<f32>(acc + o) + d);
      store<f32>(acc2 + o, load<f32>(acc2 + o) + d * load<f32>(xi + o));
    }
    if ((i + 1) % FLUSH == 0) { flush(sumDy, acc, cols); flush(sumDyX, acc2, cols); }
  }
  flush(sumDy, acc, cols); flush(sumDyX, acc2, cols);
  const n = <f64>rows;
  for (let j = 0; j < cols; j++) {
    const o = <usize>j << 2, o8 = <usize>j << 3;
    store<f32>(coef + o, <f32>(<f64>load<f32>(gamma + o) * load<f64>(invStd + o8)));
    store<f32>(shift + o, <f32>(load<f64>(sumDy + o8) / n));
    store<f32>(acc2 + o, <f32>(load<f64>(sumDyX + o8) / n));
  }
  for (let i = 0; i < rows; i++) {
    const di = dy + <usize>i * rowStep, xi = xhat + <usize>i * rowStep, oi = dz + <usize>i * rowStep;
    let t = 0;
    for (; t + 4 <= cols; t += 4) {
      const o = <usize>t << 2;
      const inner = f32x4.sub(f32x4.sub(v128.load(di + o), v128.load(shift + o)), f32x4.mul(v128.load(xi + o), v128.load(acc2 + o)));
      v128.store(oi + o, f32x4.mul(v128.load(coef + o), inner));
    }
    for (; t < cols; t++) {
      const o = <usize>t << 2;
      store<f32>(oi + o, load<f32>(coef + o) * (load<f32>(di + o) - load<f32>(shift + o) - load<f32>(xi + o) * load<f32>(acc2 + o)));
    }
  }
}

// ---------------------------------------------------------------- column ranges, for the thread pool
// Every column's sums are its own (each column is one SIMD lane or one scalar of the same f32 operations, flushed
// every FLUSH rows), so the columns [c0, c1) of a matrix of ld columns give the bits the whole call gives there.
// Temporary memory: the scratch of the whole-matrix kernel for c1 − c0 columns.

/** column_sums_f32 on the columns [c0, c1) of y (rows × ld); out: ld f64 (the range's entries written). */
export function column_sums_cols_f32(out: usize, y: usize, rows: i32, ld: i32, c0: i32, c1: i32): void {
  const n = c1 - c0, s = alloc(<usize>n << 2);
  column_sums_ld(out + (<usize>c0 << 3), y + (<usize>c0 << 2), rows, n, ld, s);
  free(s);
}

/** batch_norm_forward_f32 on the columns [c0, c1) (matrices rows × ld; mean, invStd, gamma, beta: ld entries). */
export function batch_norm_forward_cols_f32(y: usize, xhat: usize, mean: usize, invStd: usize, z: usize, gamma: usize, beta: usize,
                                            rows: i32, ld: i32, eps: f64, c0: i32, c1: i32): void {
  const n = c1 - c0, s = alloc(<usize>(3 * n) << 2);
  const o4 = <usize>c0 << 2, o8 = <usize>c0 << 3;
  batch_norm_forward_ld(y + o4, xhat + o4, mean + o8, invStd + o8, z + o4, gamma + o4, beta + o4, rows, n, ld, eps, s);
  free(s);
}

/** batch_norm_backward_f32 on the columns [c0, c1) (matrices rows × ld; sums, gamma, invStd: ld entries). */
export function batch_norm_backward_cols_f32(dz: usize, sumDy: usize, sumDyX: usize, dy: usize, xhat: usize, gamma: usize, invStd: usize,
                                             rows: i32, ld: i32, c0: i32, c1: i32): void {
  const n = c1 - c0, s = alloc(<usize>(4 * n) << 2);
  const o4 = <usize>c0 << 2, o8 = <usize>c0 << 3;
  batch_norm_backward_ld(dz + o4, sumDy + o8, sumDyX + o8, dy + o4, xhat + o4, gamma + o4, invStd + o8, rows, n, ld, s);
  free(s);
}

/** a ← a ⊙ b over len floats (the dropout mask applied to a gradient). */
export function mul_f32(a: usize, b: usize, len: i32): void {
  let t = 0;
  for (; t + 4 <= len; t += 4) {
    const o = <usize>t << 2;
    v128.store(a + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; t < len; t++) { const o = <usize>t << 2; store<f32>(a + o, load<f32>(a + o) * load<f32>(b + o)); }
}

/** MurmurHash3's 32-bit finalizer (a bijection of u32 with full avalanche), on four lanes. */
@inline function fmix32x4(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

@inline function fmix32(h: u32): u32 {
  h ^= h >>> 16; h *= 0x85ebca6b; h ^= h >>> 13; h *= 0xc2b2ae35; h ^= h >>> 16;
  return h;
}

/**
 * Inverted dropout with a counter-based generator, so any element range gives the same bits: for the elements
 * t ∈ [0, len) of a range starting at global index `first`, i = first + t, h = fmix32(fmix32(i ⊕ k0) + k1) (u32
 * arithmetic), u = (h >>> 8)·2⁻²⁴ (an f32 in [0, 1), exact), m = u < p ? 0 : keep (p and keep as f32);
 * mask[t] ← m and x[t] ← x[t]·m (f32). src/twin/elementwise.ts dropout_f32 is the same in JS.
 */
export function dropout_f32(x: usize, mask: usize, len: i32, first: i32, p: f32, keep: f32, k0: u32, k1: u32): void {
  const step = i32x4.splat(4), kv0 = i32x4.splat(k0), kv1 = i32x4.splat(k1), pv = f32x4.splat(p), keepv = f32x4.splat(keep);
  const unit = f32x4.splat(<f32>5.9604644775390625e-8), zero = f32x4.splat(0);
  let idx = i32x4.add(i32x4.splat(first), i32x4(0, 1, 2, 3));
  let t = 0;
  for (; t + 4 <= len; t += 4) {
    const h = fmix32x4(i32x4.add(fmix32x4(v128.xor(idx, kv0)), kv1));
    const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), unit);
    const m = v128.bitselect(zero, keepv, f32x4.lt(u, pv));
    const o = <usize>t << 2;
    v128.store(mask + o, m);
    v128.store(x + o, f32x4.mul(v128.load(x + o), m));
    idx = i32x4.add(idx, step);
  }
  for (; t < len; t++) {
    const h = fmix32(fmix32(<u32>(first + t) ^ k0) + k1);
    const u = <f32>(h >>> 8) * <f32>5.9604644775390625e-8;
    const m: f32 = u < p ? 0 : keep;
    const o = <usize>t << 2;
    store<f32>(mask + o, m);
    store<f32>(x + o, load<f32>(x + o) * m);
  }
}
