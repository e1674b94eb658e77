// Householder QR (f64), blocked so that most flops run through gemm_f64, and the application of Q / Qᵀ
// to a row-major block without forming Q.
//
// Layout of a factorisation ("the factor" w): A is m×n, stored COLUMN-major, i.e. w holds Aᵀ row-major,
// n rows of length m, so every column of A (and every Householder vector) is contiguous and the
// reflector loops are unit-stride f64x2 streams. After the factorisation, for j < min(m, n):
//   w[j·m + i] = R[i][j]        for i ≤ j        (R's column j)
//   w[j·m + i] = v_j[i]         for i > j        (v_j[j] = 1 is implicit, as in LAPACK's geqrf)
// and for j ≥ min(m, n) (wide A) column j of w holds R's column j. Q = H_0·H_1···H_{k−1},
// H_j = I − τ_j·v_j·v_jᵀ, k = min(m, n).
//
// Blocking: panels of NB columns are factored recursively (halves, down to RECURSE_MIN columns of
// BLAS-2 loops); each panel's reflectors are combined into the compact WY form I − V·T·Vᵀ (Schreiber &
// Van Loan 1989, T upper triangular as LAPACK's larft builds it) and the trailing columns are updated
// by gemm_f64 calls on contiguous copies (gemm has no leading-dimension argument). Matrices with
// min(m, n) ≤ NB (the tall-skinny sketches of the randomized SVD) use the BLAS-2 loop throughout,
// which measured faster there. The thin Q is formed as LAPACK's dorgqr does (blocks applied last to
// first, each only to the columns it can change).
// Accuracy: backward stable, ‖A − QR‖ = O(m·n·u·‖A‖) in the worst case and ‖QᵀQ − I‖ = O(m·n·u)
// (Higham, ASNA 2nd ed., Thm. 19.4); in practice a few ulps times √(mn).
// Preconditions: m, n ≥ 1; w and a do not alias; every buffer holds the sizes stated.
// see: LAPACK dgeqrf / dlarfg / dlarft; Golub & Van Loan, Matrix Computations §5.2.2–5.2.3.

import { alloc, free } from "./memory";
import { gemm_f64 } from "./gemm";

/** Panel width of the blocked factorisation and of the blocked application of Q. */
const NB: i32 = 32;
/** Panels this narrow are factored column by column (BLAS-2); wider ones recursively. */
const RECURSE_MIN: i32 = 8;
/** Below this many right-hand columns the reflectors are applied one by one (gemm would not pay). */
const APPLY_BLOCKED_MIN_COLS: i32 = 8;

// ---------------------------------------------------------------- level-1 helpers (f64x2)

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** Σ x_i·y_i over n entries (four f64x2 accumulators: the adds' latency, not the loads, would bound two). */
export function dot_f64(x: usize, y: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
    s2 = f64x2.add(s2, f64x2.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
    s3 = f64x2.add(s3, f64x2.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
  }
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  s0 = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  if (i < n) s += load<f64>(at(x, i)) * load<f64>(at(y, i));
  return s;
}

/** y += alpha·x over n entries. */
export function axpy_f64(y: usize, x: usize, alpha: f64, n: i32): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
    v128.store(y + o, f64x2.add(v128.load(y + o, 16), f64x2.mul(va, v128.load(x + o, 16))), 16);
  }
  for (; i < n; i++) store<f64>(at(y, i), load<f64>(at(y, i)) + alpha * load<f64>(at(x, i)));
}

/** y −= x over n entries. */
function sub_f64(y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.sub(v128.load(y + o), v128.load(x + o)));
  }
  if (i < n) store<f64>(at(y, i), load<f64>(at(y, i)) - load<f64>(at(x, i)));
}

/**
 * ‖x‖₂ without spurious overflow or underflow: the plain sum of squares when it lies safely inside
 * the normal range, otherwise a second pass scaled by max|x_i| (LAPACK's dnrm2 guards the same way).
 */
export function norm2_f64(x: usize, n: i32): f64 {
  const ss = dot_f64(x, x, n);
  if (ss > 1e-290 && ss < 1e290) return Math.sqrt(ss);
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(load<f64>(at(x, i))));
  if (amax == 0) return 0;
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const t = load<f64>(at(x, i)) / amax; // divide, not multiply by 1/amax: 1/amax overflows for subnormal amax
    s += t * t;
  }
  return amax * Math.sqrt(s);
}

/**
 * Householder reflector for x = [α; x₁] (len entries at p): H·x = [β; 0] with H = I − τ·[1; v][1; v]ᵀ,
 * β = −sign(α)·‖x‖ (LAPACK's dlarfg sign choice, so that α − β never cancels). Overwrites p[0] with β
 * and p[1..] with v; returns τ (0 when x₁ = 0: H = I).
 */
export function reflector_f64(p: usize, len: i32): f64 {
  if (len <= 1) return 0;
  const xnorm = norm2_f64(p + 8, len - 1);
  if (xnorm == 0) return 0;
  const alpha = load<f64>(p);
  const beta = -copysign<f64>(Math.hypot(alpha, xnorm), alpha);
  const denom = alpha - beta; // |α| + |β| ≥ ‖x‖ > 0
  const inv = 1 / denom;
  if (isFinite(inv)) {
    for (let i = 1; i < len; i++) store<f64>(at(p, i), load<f64>(at(p, i)) * inv);
  } else {
    for (let i = 1; i < len; i++) store<f64>(at(p, i), load<f64>(at(p, i)) / denom);
  }
  store<f64>(p, beta);
  return (beta - alpha) / beta;
}

/** y := (I − τ·[1; v][1; v]ᵀ)·y for y of length len, v stored in v[1..len). */
export function apply_reflector_f64(v: usize, tau: f64, y: usize, len: i32): void {
  if (tau == 0) return;
  const s = tau * (load<f64>(y) + dot_f64(v + 8, y + 8, len - 1));
  store<f64>(y, load<f64>(y) - s);
  axpy_f64(y + 8, v + 8, -s, len - 1);
}

// ---------------------------------------------------------------- compact WY pieces

/**
 * Copies reflectors k0..k0+nb−1 of the factor into vt (nb × (m−k0), row-major) as explicit rows:
 * zeros left of the diagonal, the implicit 1 on it, v below it.
 */
function buildVt(vt: usize, w: usize, m: i32, k0: i32, nb: i32): void {
  const mk = m - k0;
  for (let i = 0; i < nb; i++) {
    const row = vt + <usize>i * <usize>mk * 8;
    memory.fill(row, 0, <usize>i << 3);
    store<f64>(at(row, i), 1);
    memory.copy(at(row, i + 1), w + (<usize>(k0 + i) * <usize>m + <usize>(k0 + i + 1)) * 8, <usize>(mk - i - 1) << 3);
  }
}

/** V itself (mk × nb, row-major) from vt: the no-transpose operand of Z = V·W, so gemm reads A by rows. */
function transposeVt(v: usize, vt: usize, mk: i32, nb: i32): void {
  for (let i = 0; i < nb; i++) {
    const row = vt + <usize>i * <usize>mk * 8;
    for (let c = 0; c < mk; c++) store<f64>(v + (<usize>c * <usize>nb + <usize>i) * 8, load<f64>(at(row, c)));
  }
}

/**
 * The nb×nb upper-triangular T with H_{k0}···H_{k0+nb−1} = I − V·T·Vᵀ (LAPACK dlarft, forward,
 * columnwise): T_ii = τ_i, T[0:i, i] = −τ_i·T[0:i, 0:i]·(V[:, 0:i]ᵀ·v_i).
 */
function buildT(t: usize, vt: usize, tau: usize, mk: i32, k0: i32, nb: i32): void {
  memory.fill(t, 0, <usize>nb * <usize>nb * 8);
  for (let i = 0; i < nb; i++) {
    const ti = load<f64>(at(tau, k0 + i));
    store<f64>(at(t, i * nb + i), ti);
    if (ti == 0 || i == 0) continue;
    const vi = vt + <usize>i * <usize>mk * 8;
    // z_j = −τ_i·(v_j·v_i) for j < i; v_i is zero left of column i, so the dot starts there.
    for (let j = 0; j < i; j++) {
      const vj = vt + <usize>j * <usize>mk * 8;
      store<f64>(at(t, j * nb + i), -ti * dot_f64(at(vj, i), at(vi, i), mk - i));
    }
    // T[0:i, i] := T[0:i, 0:i]·z (upper triangular, so row j only uses z_j..z_{i−1}; in place top-down).
    for (let j = 0; j < i; j++) {
      let s: f64 = 0;
      for (let c = j; c < i; c++) s += load<f64>(at(t, j * nb + c)) * load<f64>(at(t, c * nb + i));
      store<f64>(at(t, j * nb + i), s);
    }
  }
}

/**
 * Applies the panel's block reflector (I − V·T·Vᵀ)ᵀ to the trailing columns k0+nb..n−1 of the factor,
 * rows k0..m−1. In the column-major factor the trailing block is Cᵀ (nc × mk, row stride m), and
 * Cᵀ·(I − V·T·Vᵀ) = Cᵀ − ((Cᵀ·V)·T)·Vᵀ: three gemm calls on contiguous copies.
 */
function updateTrailing(w: usize, m: i32, n: i32, k0: i32, nb: i32, vt: usize, t: usize,
  ct: usize, x: usize, y: usize, z: usize): void {
  const mk = m - k0, nc = n - k0 - nb;
  if (nc <= 0) return;
  // V (mk × nb) is built in z, which is free until the last product. Passing Vᵀ with transB instead
  // would make gemm pack it with a stride of mk doubles: a cache miss per element.
  const v = z;
  transposeVt(v, vt, mk, nb);
  for (let r = 0; r < nc; r++) {
    memory.copy(ct + <usize>r * <usize>mk * 8, w + (<usize>(k0 + nb + r) * <usize>m + <usize>k0) * 8, <usize>mk << 3);
  }
  gemm_f64(x, ct, v, nc, nb, mk, 0, 0);  // X = Cᵀ·V        (nc × nb)
  gemm_f64(y, x, t, nc, nb, nb, 0, 0);   // Y = X·T         (nc × nb)
  gemm_f64(z, y, vt, nc, mk, nb, 0, 0);  // Z = Y·Vᵀ        (nc × mk)
  for (let r = 0; r < nc; r++) {
    const dst = w + (<usize>(k0 + nb + r) * <usize>m + <usize>k0) * 8;
    memory.copy(dst, ct + <usize>r * <usize>mk * 8, <usize>mk << 3);
    sub_f64(dst, z + <usize>r * <usize>mk * 8, mk);
  }
}

/** Unblocked QR of columns j0..j1−1 (rows j..m−1), updating only columns up to updateEnd. */
function factorColumns(w: usize, tau: usize, m: i32, j0: i32, j1: i32, updateEnd: i32): void {
  for (let j = j0; j < j1; j++) {
    const col = w + (<usize>j * <usize>m + <usize>j) * 8;
    const tj = reflector_f64(col, m - j);
    store<f64>(at(tau, j), tj);
    for (let c = j + 1; c < updateEnd; c++) apply_reflector_f64(col, tj, w + (<usize>c * <usize>m + <usize>j) * 8, m - j);
  }
}

/** dst (cols × rows, row-major) := srcᵀ for src rows × cols row-major; tiled so both sides stay in cache. */
export function transpose_f64(dst: usize, src: usize, rows: i32, cols: i32): void {
  const TILE: i32 = 32;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f64>(dst + (<usize>j * <usize>rows + <usize>i) * 8, load<f64>(src + (<usize>i * <usize>cols + <usize>j) * 8));
        }
      }
    }
  }
}

// ---------------------------------------------------------------- kernels

/**
 * Householder QR of the row-major m×n matrix a into the column-major factor w (n·m f64) and tau
 * (min(m, n) f64); a is only read. Layout of w: see the top of this file.
 */
export function householder_qr_f64(w: usize, a: usize, tau: usize, m: i32, n: i32): void {
  transpose_f64(w, a, m, n);
  const k = min(m, n);
  if (k <= NB) {
    // One panel: column by column. Measured 2× faster than the recursive panel on 20000×26 (the sketch
    // sizes of randomizedSvd), where the recursion's copies cost more than its gemm saves.
    factorColumns(w, tau, m, 0, k, n);
    return;
  }
  const vt = alloc(<usize>NB * <usize>m * 8);
  const t = alloc(<usize>NB * NB * 8);
  const xy = alloc(<usize>2 * <usize>max(n, NB) * NB * 8);
  const ct = alloc(<usize>n * <usize>m * 8);
  const z = alloc(<usize>n * <usize>m * 8);
  for (let k0 = 0; k0 < k; k0 += NB) {
    const nb = min(NB, k - k0);
    factorPanel(w, tau, m, k0, nb, vt, t, ct, xy, z);
    if (k0 + nb >= n) break;
    buildVt(vt, w, m, k0, nb);
    buildT(t, vt, tau, m - k0, k0, nb);
    updateTrailing(w, m, n, k0, nb, vt, t, ct, xy, xy + <usize>n * NB * 8, z);
  }
  free(z);
  free(ct);
  free(xy);
  free(t);
  free(vt);
}

/**
 * Recursive panel factorisation (Elmroth & Gustavson 2000): factor the left half, update the right half
 * with the left half's block reflector through gemm, factor the right half. Only panels of ≤ RECURSE_MIN
 * columns run the BLAS-2 loop, so a tall panel's flops go through gemm too. Touches columns j0..j0+nb only.
 */
function factorPanel(w: usize, tau: usize, m: i32, j0: i32, nb: i32, vt: usize, t: usize, ct: usize, xy: usize, z: usize): void {
  if (nb <= RECURSE_MIN || m - j0 <= RECURSE_MIN) {
    factorColumns(w, tau, m, j0, j0 + nb, j0 + nb);
    return;
  }
  const n1 = nb >> 1, n2 = nb - n1;
  factorPanel(w, tau, m, j0, n1, vt, t, ct, xy, z);
  buildVt(vt, w, m, j0, n1);
  buildT(t, vt, tau, m - j0, j0, n1);
  updateTrailing(w, m, j0 + nb, j0, n1, vt, t, ct, xy, xy + <usize>NB * NB * 8, z);
  factorPanel(w, tau, m, j0 + n1, n2, vt, t, ct, xy, z);
}

/**
 * b (m × ncols, row-major) := Q·b (trans = 0) or Qᵀ·b (trans = 1), Q = H_0···H_{k−1} from the first k
 * reflectors of the factor w (column stride m) and tau. Blocked through gemm_f64 for ncols ≥ 8.
 */
export function householder_apply_f64(b: usize, w: usize, tau: usize, m: i32, k: i32, ncols: i32, trans: i32): void {
  if (k <= 0 || ncols <= 0) return;
  if (ncols < APPLY_BLOCKED_MIN_COLS) {
    applyUnblocked(b, w, tau, m, k, ncols, trans);
    return;
  }
  const vt = alloc(<usize>NB * <usize>m * 8);
  const t = alloc(<usize>NB * NB * 8);
  const w1 = alloc(<usize>NB * <usize>ncols * 8);
  const w2 = alloc(<usize>NB * <usize>ncols * 8);
  const z = alloc(<usize>m * <usize>ncols * 8);
  const v = alloc(<usize>NB * <usize>m * 8);
  const blocks = (k + NB - 1) / NB;
  for (let s = 0; s < blocks; s++) {
    // Qᵀ·b applies block 0 first; Q·b applies the last block first.
    const blk = trans ? s : blocks - 1 - s;
    const k0 = blk * NB, nb = min(NB, k - k0), mk = m - k0;
    buildVt(vt, w, m, k0, nb);
    buildT(t, vt, tau, mk, k0, nb);
    const bsub = b + <usize>k0 * <usize>ncols * 8;
    gemm_f64(w1, vt, bsub, nb, ncols, mk, 0, 0);  // W1 = Vᵀ·B
    gemm_f64(w2, t, w1, nb, ncols, nb, trans, 0); // W2 = op(T)·W1: Tᵀ for Qᵀ, T for Q
    transposeVt(v, vt, mk, nb);
    gemm_f64(z, v, w2, mk, ncols, nb, 0, 0);      // Z = V·W2
    sub_f64(bsub, z, mk * ncols);
  }
  free(v);
  free(z);
  free(w2);
  free(w1);
  free(t);
  free(vt);
}

/**
 * q (m × k, row-major) := the first k columns of Q = H_0···H_{k−1} (the thin Q), LAPACK dorgqr-style:
 * blocks are applied last to first to [I; 0], and block j only touches rows and columns ≥ k0 (the
 * columns left of k0 are still unit vectors there), which halves the flops of applying Q to [I; 0].
 * Within a block, the block's own nb columns are still [I; 0] on entry, so Vᵀ·C needs no product there.
 */
export function householder_form_q_f64(q: usize, w: usize, tau: usize, m: i32, k: i32): void {
  memory.fill(q, 0, <usize>m * <usize>k * 8);
  for (let i = 0; i < k; i++) store<f64>(q + (<usize>i * <usize>k + <usize>i) * 8, 1);
  const vt = alloc(<usize>NB * <usize>m * 8);
  const v = alloc(<usize>NB * <usize>m * 8);
  const t = alloc(<usize>NB * NB * 8);
  const w1 = alloc(<usize>NB * <usize>k * 8);
  const w2 = alloc(<usize>NB * <usize>k * 8);
  const cf = alloc(<usize>m * <usize>k * 8);
  const z = alloc(<usize>m * <usize>k * 8);
  const blocks = (k + NB - 1) / NB;
  for (let blk = blocks - 1; blk >= 0; blk--) {
    const k0 = blk * NB, nb = min(NB, k - k0), mk = m - k0, nc = k - k0, nf = nc - nb;
    buildVt(vt, w, m, k0, nb);
    buildT(t, vt, tau, mk, k0, nb);
    transposeVt(v, vt, mk, nb);
    // C = Q[k0:, k0:] = [[I; 0] | Cf]; Cf (mk × nf) holds the columns already transformed by later blocks.
    for (let r = 0; r < mk; r++) {
      memory.copy(cf + <usize>r * <usize>nf * 8, q + (<usize>(k0 + r) * <usize>k + <usize>(k0 + nb)) * 8, <usize>nf << 3);
    }
    // W1 = Vᵀ·C = [V1ᵀ | Vᵀ·Cf] (nb × nc); V1ᵀ = vt[:, 0:nb].
    for (let i = 0; i < nb; i++) memory.copy(w1 + <usize>i * <usize>nc * 8, vt + <usize>i * <usize>mk * 8, <usize>nb << 3);
    if (nf > 0) {
      gemm_f64(z, vt, cf, nb, nf, mk, 0, 0);
      for (let i = 0; i < nb; i++) memory.copy(w1 + (<usize>i * <usize>nc + <usize>nb) * 8, z + <usize>i * <usize>nf * 8, <usize>nf << 3);
    }
    gemm_f64(w2, t, w1, nb, nc, nb, 0, 0); // W2 = T·W1
    gemm_f64(z, v, w2, mk, nc, nb, 0, 0);  // Z = V·W2 (mk × nc)
    // Q[k0:, k0:] = C − Z, row by row.
    for (let r = 0; r < mk; r++) {
      const dst = q + (<usize>(k0 + r) * <usize>k + <usize>k0) * 8, zr = z + <usize>r * <usize>nc * 8;
      sub_f64(dst, zr, nb); // the unit-vector columns (dst already holds [I; 0] there)
      if (nf > 0) {
        memory.copy(dst + (<usize>nb << 3), cf + <usize>r * <usize>nf * 8, <usize>nf << 3);
        sub_f64(dst + (<usize>nb << 3), zr + (<usize>nb << 3), nf);
      }
    }
  }
  free(z); free(cf); free(w2); free(w1); free(t); free(v); free(vt);
}

/** One reflector at a time, on row-major b: wrow = vᵀ·b (row axpys), then b −= τ·v·wrow. */
function applyUnblocked(b: usize, w: usize, tau: usize, m: i32, k: i32, ncols: i32, trans: i32): void {
  const wrow = alloc(<usize>ncols * 8);
  const rowBytes = <usize>ncols * 8;
  for (let s = 0; s < k; s++) {
    const j = trans ? s : k - 1 - s;
    const tj = load<f64>(at(tau, j));
    if (tj == 0) continue;
    const v = w + <usize>j * <usize>m * 8; // v[i] for i > j; v[j] = 1
    memory.copy(wrow, b + <usize>j * rowBytes, rowBytes);
    for (let i = j + 1; i < m; i++) axpy_f64(wrow, b + <usize>i * rowBytes, load<f64>(at(v, i)), ncols);
    axpy_f64(b + <usize>j * rowBytes, wrow, -tj, ncols);
    for (let i = j + 1; i < m; i++) axpy_f64(b + <usize>i * rowBytes, wrow, -tj * load<f64>(at(v, i)), ncols);
  }
  free(wrow);
}
