// Plain-TS twin of assembly/qr_pivoted.ts (same name and argument order, arrays for pointers).
// Unblocked throughout (LAPACK dlaqp2 from the first column) where the kernel blocks (dlaqps): the
// pivot sequence is the same greedy choice, the norms are downdated the same way, so kernel and twin
// agree to rounding except where two remaining column norms tie to within the downdating error.
import { norm2_f64, reflector_f64, apply_reflector_f64, transpose_f64 } from './householder.js';

/** Column-pivoted QR of row-major a (m×n) into the column-major factor w, tau and the permutation jpvt. */
export function pivoted_qr_f64(w: Float64Array, a: Float64Array, tau: Float64Array, jpvt: Int32Array, m: number, n: number): void {
  transpose_f64(w, a, m, n);
  const kmax = Math.min(m, n);
  const tol3z = Math.sqrt(2 ** -53);
  const vn1 = new Float64Array(n), vn2 = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    jpvt[j] = j;
    vn1[j] = vn2[j] = norm2_f64(w, j * m, m);
  }
  for (let i = 0; i < kmax; i++) {
    let pvt = i;
    for (let j = i + 1; j < n; j++) if (vn1[j] > vn1[pvt]) pvt = j;
    if (pvt !== i) {
      for (let r = 0; r < m; r++) { const t = w[pvt * m + r]; w[pvt * m + r] = w[i * m + r]; w[i * m + r] = t; }
      const tp = jpvt[pvt]; jpvt[pvt] = jpvt[i]; jpvt[i] = tp;
      vn1[pvt] = vn1[i];
      vn2[pvt] = vn2[i];
    }
    const col = i * m + i, len = m - i;
    const ti = reflector_f64(w, col, len);
    tau[i] = ti;
    for (let j = i + 1; j < n; j++) apply_reflector_f64(w, col, ti, w, j * m + i, len);
    for (let j = i + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      let t = Math.abs(w[j * m + i]) / vn1[j];
      t = Math.max(0, 1 - t * t);
      const ratio = vn1[j] / vn2[j];
      if (t * ratio * ratio <= tol3z) {
        vn1[j] = vn2[j] = i < m - 1 ? norm2_f64(w, j * m + i + 1, m - i - 1) : 0;
      } else {
        vn1[j] *= Math.sqrt(t);
      }
    }
  }
}
