// Column-pivoted Householder QR, A·P = Q·R (f64), with LAPACK geqp3 semantics: at step k the column of
// largest remaining norm is moved to position k (the first one on ties), and the remaining norms are
// downdated, ‖x‖² −= r_kj², then recomputed from the data whenever the downdate has cancelled more than
// a factor √tol3z = ε^{1/4} of the norm since the last recomputation (tol3z = √ε; LAPACK Working Note 176,
// Drmač & Bujanović 2008).
//
// Blocking (LAPACK dlaqps): within a panel of NB columns the trailing matrix is NOT updated; instead
// F accumulates τ_k·A_trailingᵀ·v_k so that the trailing update after the panel is one gemm
// (A −= V·Fᵀ). Only the pivot column and the pivot row are brought up to date at each step, which is
// all the norm downdating needs. A panel ends early when a norm must be recomputed (the column must
// first receive the trailing update). The last NX columns use the unblocked algorithm (dlaqp2).
// Half of the flops stay matrix–vector (the F columns), the other half run through gemm_f64.
//
// Layout of the factor w: column-major, exactly as in householder.ts, so householder_apply_f64 applies
// Q and Qᵀ; jpvt[k] (i32) is the original index of the column moved to position k.
// Accuracy: backward stable like unpivoted QR; |R_kk| is non-increasing and |R_kk| ≥ ‖R[k:j+1, j]‖ for
// j > k up to the relative error of the downdated norms (≤ ~√ε).
// see: LAPACK dgeqp3 / dlaqps / dlaqp2; Quintana-Ortí, Sun & Bischof, SISC 19 (1998).

import { alloc, free } from "./memory";
import { gemm_f64 } from "./gemm";
import { dot_f64, axpy_f64, norm2_f64, reflector_f64, apply_reflector_f64, transpose_f64 } from "./householder";

const NB: i32 = 32;
/** Columns left to the unblocked algorithm at the end (LAPACK's crossover NX). */
const NX: i32 = 32;

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

@inline function colPtr(w: usize, m: i32, j: i32, row: i32): usize {
  return w + (<usize>j * <usize>m + <usize>row) * 8;
}

/** First index of max vn1[from..to) (LAPACK idamax on non-negative values). */
function argmaxFrom(vn1: usize, from: i32, to: i32): i32 {
  let best = from;
  let bv = load<f64>(at(vn1, from));
  for (let j = from + 1; j < to; j++) {
    const x = load<f64>(at(vn1, j));
    if (x > bv) { bv = x; best = j; }
  }
  return best;
}

/** Swaps columns p and c of the factor (all m rows), their pivot entries and norms. */
function swapColumns(w: usize, m: i32, jpvt: usize, vn1: usize, vn2: usize, p: i32, c: i32): void {
  const x = colPtr(w, m, p, 0), y = colPtr(w, m, c, 0);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const o = <usize>i << 3;
    const t = v128.load(x + o);
    v128.store(x + o, v128.load(y + o));
    v128.store(y + o, t);
  }
  if (i < m) {
    const t = load<f64>(at(x, i));
    store<f64>(at(x, i), load<f64>(at(y, i)));
    store<f64>(at(y, i), t);
  }
  const tp = load<i32>(jpvt + (<usize>p << 2));
  store<i32>(jpvt + (<usize>p << 2), load<i32>(jpvt + (<usize>c << 2)));
  store<i32>(jpvt + (<usize>c << 2), tp);
  store<f64>(at(vn1, p), load<f64>(at(vn1, c)));
  store<f64>(at(vn2, p), load<f64>(at(vn2, c)));
}

/**
 * One blocked panel starting at column (and row) o, at most nb columns. Returns the number of columns
 * factored. F is (n − o) × NB row-major; aux holds NB + NB f64; vt/fc/z are gemm buffers.
 */
function panel(w: usize, tau: usize, jpvt: usize, vn1: usize, vn2: usize, m: i32, n: i32, o: i32, nb: i32,
  kmax: i32, tol3z: f64, f: usize, aux: usize, vt: usize, fc: usize, z: usize): i32 {
  let lsticc = -1; // head of the list of columns whose norm must be recomputed (linked through vn2)
  let k = 0;
  const rowv = aux + <usize>NB * 8; // A(rk, o..o+k), the pivot row's entries of the panel's reflectors
  while (k < nb && lsticc < 0) {
    const c = o + k, rk = c, len = m - rk;
    const pvt = argmaxFrom(vn1, c, n);
    if (pvt != c) {
      swapColumns(w, m, jpvt, vn1, vn2, pvt, c);
      // F rows follow their columns (only the k columns computed so far).
      const fp = f + <usize>(pvt - o) * NB * 8, fcur = f + <usize>(c - o) * NB * 8;
      for (let i = 0; i < k; i++) {
        const t = load<f64>(at(fp, i));
        store<f64>(at(fp, i), load<f64>(at(fcur, i)));
        store<f64>(at(fcur, i), t);
      }
    }
    // Bring column c up to date: A(rk:, c) −= A(rk:, o..c)·F[c, 0..k)ᵀ.
    const col = colPtr(w, m, c, rk);
    const frow = f + <usize>(c - o) * NB * 8;
    for (let i = 0; i < k; i++) axpy_f64(col, colPtr(w, m, o + i, rk), -load<f64>(at(frow, i)), len);
    const tk = reflector_f64(col, len);
    store<f64>(at(tau, c), tk);
    const akk = load<f64>(col);
    store<f64>(col, 1); // v_k with its unit entry, for the products below
    // F[j, k] = τ_k·A(rk:, j)ᵀ·v_k for the later columns j (the matrix–vector half of the flops).
    for (let j = c + 1; j < n; j++) {
      store<f64>(at(f + <usize>(j - o) * NB * 8, k), tk * dot_f64(colPtr(w, m, j, rk), col, len));
    }
    // F[:, k] −= τ_k·F[:, 0..k)·(A(rk:, o..c)ᵀ·v_k): the correction for the updates not yet applied.
    if (k > 0) {
      for (let i = 0; i < k; i++) store<f64>(at(aux, i), -tk * dot_f64(colPtr(w, m, o + i, rk), col, len));
      for (let j = c + 1; j < n; j++) {
        const fj = f + <usize>(j - o) * NB * 8;
        let s = load<f64>(at(fj, k));
        for (let i = 0; i < k; i++) s += load<f64>(at(fj, i)) * load<f64>(at(aux, i));
        store<f64>(at(fj, k), s);
      }
    }
    // Bring the pivot row up to date: A(rk, j) −= A(rk, o..c]·F[j, 0..k] for j > c.
    for (let i = 0; i <= k; i++) store<f64>(at(rowv, i), load<f64>(colPtr(w, m, o + i, rk)));
    for (let j = c + 1; j < n; j++) {
      const fj = f + <usize>(j - o) * NB * 8;
      let s: f64 = 0;
      for (let i = 0; i <= k; i++) s += load<f64>(at(rowv, i)) * load<f64>(at(fj, i));
      const p = colPtr(w, m, j, rk);
      store<f64>(p, load<f64>(p) - s);
    }
    // Downdate the remaining norms; a column that lost too much is queued for recomputation.
    if (rk < kmax - 1) {
      for (let j = c + 1; j < n; j++) {
        const v1 = load<f64>(at(vn1, j));
        if (v1 == 0) continue;
        let t = Math.abs(load<f64>(colPtr(w, m, j, rk))) / v1;
        t = Math.max(0, (1 + t) * (1 - t));
        const ratio = v1 / load<f64>(at(vn2, j));
        if (t * ratio * ratio <= tol3z) {
          store<f64>(at(vn2, j), <f64>lsticc);
          lsticc = j;
        } else {
          store<f64>(at(vn1, j), v1 * Math.sqrt(t));
        }
      }
    }
    store<f64>(col, akk);
    k++;
  }
  const kb = k, rk = o + kb;
  // Trailing update A(rk:, o+kb:) −= A(rk:, o..o+kb)·F[kb:, 0..kb)ᵀ, transposed for the column-major
  // factor: Wᵀ_trailing −= F_c·V_t with V_t the reflectors' rows rk.. (kb × (m − rk), contiguous copies).
  const nc = n - o - kb, mr = m - rk;
  if (nc > 0 && mr > 0) {
    for (let i = 0; i < kb; i++) memory.copy(vt + <usize>i * <usize>mr * 8, colPtr(w, m, o + i, rk), <usize>mr << 3);
    for (let j = 0; j < nc; j++) memory.copy(fc + <usize>j * <usize>kb * 8, f + <usize>(kb + j) * NB * 8, <usize>kb << 3);
    gemm_f64(z, fc, vt, nc, mr, kb, 0, 0);
    for (let j = 0; j < nc; j++) {
      const dst = colPtr(w, m, o + kb + j, rk), src = z + <usize>j * <usize>mr * 8;
      axpy_f64(dst, src, -1, mr);
    }
  }
  // Recompute the queued norms from the now up-to-date columns.
  while (lsticc >= 0) {
    const next = <i32>load<f64>(at(vn2, lsticc));
    const v = norm2_f64(colPtr(w, m, lsticc, rk), mr);
    store<f64>(at(vn1, lsticc), v);
    store<f64>(at(vn2, lsticc), v);
    lsticc = next;
  }
  return kb;
}

/** Unblocked steps j0..kmax−1 (LAPACK dlaqp2): pivot, reflect, update the trailing columns, downdate norms. */
function unblocked(w: usize, tau: usize, jpvt: usize, vn1: usize, vn2: usize, m: i32, n: i32, j0: i32, kmax: i32, tol3z: f64): void {
  for (let i = j0; i < kmax; i++) {
    const pvt = argmaxFrom(vn1, i, n);
    if (pvt != i) swapColumns(w, m, jpvt, vn1, vn2, pvt, i);
    const col = colPtr(w, m, i, i), len = m - i;
    const ti = reflector_f64(col, len);
    store<f64>(at(tau, i), ti);
    for (let j = i + 1; j < n; j++) apply_reflector_f64(col, ti, colPtr(w, m, j, i), len);
    for (let j = i + 1; j < n; j++) {
      const v1 = load<f64>(at(vn1, j));
      if (v1 == 0) continue;
      let t = Math.abs(load<f64>(colPtr(w, m, j, i))) / v1;
      t = Math.max(0, 1 - t * t);
      const ratio = v1 / load<f64>(at(vn2, j));
      if (t * ratio * ratio <= tol3z) {
        const v = i < m - 1 ? norm2_f64(colPtr(w, m, j, i + 1), m - i - 1) : 0;
        store<f64>(at(vn1, j), v);
        store<f64>(at(vn2, j), v);
      } else {
        store<f64>(at(vn1, j), v1 * Math.sqrt(t));
      }
    }
  }
}

/**
 * Column-pivoted QR of the row-major m×n matrix a into the column-major factor w (n·m f64), tau
 * (min(m, n) f64) and jpvt (n i32, the column permutation: position k holds original column jpvt[k]).
 */
export function pivoted_qr_f64(w: usize, a: usize, tau: usize, jpvt: usize, m: i32, n: i32): void {
  transpose_f64(w, a, m, n);
  const kmax = min(m, n);
  const tol3z = Math.sqrt(f64.EPSILON / 2); // √u with u = 2⁻⁵³, as LAPACK's dlamch('Epsilon')
  const vn1 = alloc(<usize>n * 8), vn2 = alloc(<usize>n * 8);
  for (let j = 0; j < n; j++) {
    store<i32>(jpvt + (<usize>j << 2), j);
    const v = norm2_f64(colPtr(w, m, j, 0), m);
    store<f64>(at(vn1, j), v);
    store<f64>(at(vn2, j), v);
  }
  let j = 0;
  if (kmax - NX > 0 && n > NB) {
    const f = alloc(<usize>n * NB * 8);
    const aux = alloc(<usize>2 * NB * 8);
    const vt = alloc(<usize>NB * <usize>m * 8);
    const fc = alloc(<usize>n * NB * 8);
    const z = alloc(<usize>n * <usize>m * 8);
    while (kmax - j > NX) {
      memory.fill(f, 0, <usize>(n - j) * NB * 8);
      j += panel(w, tau, jpvt, vn1, vn2, m, n, j, min(NB, kmax - NX - j), kmax, tol3z, f, aux, vt, fc, z);
    }
    free(z); free(fc); free(vt); free(aux); free(f);
  }
  unblocked(w, tau, jpvt, vn1, vn2, m, n, j, kmax, tol3z);
  free(vn2);
  free(vn1);
}
