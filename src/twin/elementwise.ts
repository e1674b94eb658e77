// Plain-TS twin of assembly/elementwise.ts (same names and argument order; arrays for pointers).
// Sums in f64 throughout (slightly more accurate than the kernels' flushed f32 accumulators).
type F = Float32Array | Float64Array;

export function add_f32(a: F, b: ArrayLike<number>, len: number): void {
  for (let i = 0; i < len; i++) a[i] += b[i];
}

export function add_row_vector_f32(y: F, b: ArrayLike<number>, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[i * cols + j] += b[j];
}

/** x ← max(x, 0) with WebAssembly's f32x4.max rules, like the kernel: NaN propagates, −0 becomes +0. */
export function relu_f32(x: F, len: number): void {
  for (let i = 0; i < len; i++) if (x[i] <= 0) x[i] = 0;
}

/** y_i ← σ(y_i + b) with σ(x) = x < 0 ? 0 : x (NaN and −0 pass through); b null: no bias. */
export function bias_relu_f32(y: F, b: ArrayLike<number> | null, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      if (b) y[k] += b[j]; // stored, so rounded to y's precision before the ReLU, like the kernel
      if (y[k] < 0) y[k] = 0;
    }
  }
}

/** y_i ← (y_i + b) + r_i, each add rounded to y's precision (r may be y); b null: no bias. */
export function add_bias_residual_f32(y: F, b: ArrayLike<number> | null, r: ArrayLike<number>, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j, rk = r[k]; // read first: r may be y
      if (b) y[k] += b[j];
      y[k] += rk;
    }
  }
}

export function relu_backward_f32(g: F, x: ArrayLike<number>, len: number): void {
  for (let i = 0; i < len; i++) if (!(x[i] > 0)) g[i] = 0;
}

export function column_sums_f32(out: Float64Array, y: ArrayLike<number>, rows: number, cols: number, _scratch?: F): void {
  out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += y[i * cols + j];
}

export function batch_norm_forward_f32(y: F, xhat: F, mean: Float64Array, invStd: Float64Array, z: ArrayLike<number>,
  gamma: ArrayLike<number>, beta: ArrayLike<number>, rows: number, cols: number, eps: number, _scratch?: F): void {
  column_sums_f32(mean, z, rows, cols);
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  invStd.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) { const c = z[i * cols + j] - mean[j]; invStd[j] += c * c; }
  for (let j = 0; j < cols; j++) invStd[j] = 1 / Math.sqrt(invStd[j] / rows + eps);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = (z[i * cols + j] - mean[j]) * invStd[j];
      xhat[i * cols + j] = x;
      y[i * cols + j] = gamma[j] * x + beta[j];
    }
  }
}

export function batch_norm_backward_f32(dz: F, sumDy: Float64Array, sumDyX: Float64Array, dy: ArrayLike<number>, xhat: ArrayLike<number>,
  gamma: ArrayLike<number>, invStd: Float64Array, rows: number, cols: number, _scratch?: F): void {
  sumDy.fill(0, 0, cols); sumDyX.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) { const d = dy[i * cols + j]; sumDy[j] += d; sumDyX[j] += d * xhat[i * cols + j]; }
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      dz[k] = gamma[j] * invStd[j] * (dy[k] - sumDy[j] / rows - xhat[k] * sumDyX[j] / rows);
    }
  }
}

/** a ← a ⊙ b over len entries (in a's precision). */
export function mul_f32(a: F, b: ArrayLike<number>, len: number): void {
  for (let i = 0; i < len; i++) a[i] *= b[i];
}

/** MurmurHash3's 32-bit finalizer on a u32 (returned as an unsigned number). */
function fmix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The dropout of assembly/elementwise.ts dropout_f32 on the elements [0, len) of a range starting at global index
 * `first`: h = fmix32(fmix32(i ⊕ k0) + k1) for i = first + t, u = (h >>> 8)·2⁻²⁴, m = u < fround(p) ? 0 : fround(keep),
 * mask[t] = m, x[t] ← x[t]·m in x's precision (f32 data: the kernel's bits; f64 data: the same mask).
 */
export function dropout_f32(x: F, mask: Float32Array, len: number, first: number, p: number, keep: number, k0: number, k1: number): void {
  const pf = Math.fround(p), kf = Math.fround(keep);
  for (let t = 0; t < len; t++) {
    const h = fmix32((fmix32(((first + t) ^ k0) >>> 0) + k1) >>> 0);
    const m = (h >>> 8) * 5.9604644775390625e-8 < pf ? 0 : kf;
    mask[t] = m;
    x[t] *= m;
  }
}
