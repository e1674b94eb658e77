// Triangular solve from the right (f64), the "Q = Y·R⁻¹" step of the CholeskyQR orthonormalisation of
// tall-skinny sketches (src/linalg/cholesky-qr.ts): x (m×n, row-major) := y·R⁻¹ with R n×n upper
// triangular, row-major, nonzero diagonal. Each row is an independent forward substitution
// x·R = y: x_j = (y_j − Σ_{i<j} x_i·R_ij)·(1/R_jj), done right-looking (once x_j is known, the rest of
// the row loses x_j·R[j, j+1..n)) so the updates are f64x2 streams along the row and R's row j.
// Four rows at a time share the loads of R and give the core four independent dependency chains (the
// chain through x_j is a store, a reload, two multiplies and a subtraction long: ≈ 18 cycles per column).
// Accuracy: row-wise backward stable, x·(R + ΔR) = y with |ΔR| ≤ (n + 1)·u·|R| (Higham, ASNA 2nd ed.,
// Thm. 8.5; the reciprocal adds one rounding to each diagonal entry). Plain multiplies and subtractions
// in a fixed order, so the plain-TS twin (src/twin/triangular.ts) gives the same bits.
// Preconditions: m, n ≥ 1; R_jj ≠ 0; inv holds n f64 of scratch; x is y or does not overlap it; r and
// inv overlap neither.

/** inv[j] = 1 / R_jj. */
function reciprocals(inv: usize, r: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<f64>(inv + (<usize>j << 3), 1 / load<f64>(r + (<usize>(j * n + j) << 3)));
}

/** Rows y0 .. y0 + 3·rowBytes (four dependency chains in flight, one load of R for four rows). */
function solveFourRows(y0: usize, rowBytes: usize, r: usize, inv: usize, n: i32): void {
  const y1 = y0 + rowBytes, y2 = y1 + rowBytes, y3 = y2 + rowBytes;
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 3;
    const d = load<f64>(inv + o);
    const x0 = load<f64>(y0 + o) * d, x1 = load<f64>(y1 + o) * d;
    const x2 = load<f64>(y2 + o) * d, x3 = load<f64>(y3 + o) * d;
    store<f64>(y0 + o, x0); store<f64>(y1 + o, x1);
    store<f64>(y2 + o, x2); store<f64>(y3 + o, x3);
    const v0 = f64x2.splat(x0), v1 = f64x2.splat(x1), v2 = f64x2.splat(x2), v3 = f64x2.splat(x3);
    const rj = r + (<usize>(j * n) << 3);
    let c = j + 1;
    for (; c + 2 <= n; c += 2) {
      const oc = <usize>c << 3;
      const rv = v128.load(rj + oc);
      v128.store(y0 + oc, f64x2.sub(v128.load(y0 + oc), f64x2.mul(v0, rv)));
      v128.store(y1 + oc, f64x2.sub(v128.load(y1 + oc), f64x2.mul(v1, rv)));
      v128.store(y2 + oc, f64x2.sub(v128.load(y2 + oc), f64x2.mul(v2, rv)));
      v128.store(y3 + oc, f64x2.sub(v128.load(y3 + oc), f64x2.mul(v3, rv)));
    }
    if (c < n) {
      const oc = <usize>c << 3, rc = load<f64>(rj + oc);
      store<f64>(y0 + oc, load<f64>(y0 + oc) - x0 * rc);
      store<f64>(y1 + oc, load<f64>(y1 + oc) - x1 * rc);
      store<f64>(y2 + oc, load<f64>(y2 + oc) - x2 * rc);
      store<f64>(y3 + oc, load<f64>(y3 + oc) - x3 * rc);
    }
  }
}

function solveRow(y0: usize, r: usize, inv: usize, n: i32): void {
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 3;
    const x0 = load<f64>(y0 + o) * load<f64>(inv + o);
    store<f64>(y0 + o, x0);
    const v0 = f64x2.splat(x0);
    const rj = r + (<usize>(j * n) << 3);
    let c = j + 1;
    for (; c + 2 <= n; c += 2) {
      const oc = <usize>c << 3;
      v128.store(y0 + oc, f64x2.sub(v128.load(y0 + oc), f64x2.mul(v0, v128.load(rj + oc))));
    }
    if (c < n) {
      const oc = <usize>c << 3;
      store<f64>(y0 + oc, load<f64>(y0 + oc) - x0 * load<f64>(rj + oc));
    }
  }
}

/**
 * x (m×n) := y·R⁻¹, R upper triangular n×n; inv: n f64 of scratch (overwritten with 1/R_jj). x may be y
 * (in place); otherwise y is only read, four rows at a time copied into x just before they are solved, so
 * the caller needs no separate copy pass.
 */
export function trsm_right_upper_f64(x: usize, y: usize, r: usize, inv: usize, m: i32, n: i32): void {
  reciprocals(inv, r, n);
  const rowBytes = <usize>n << 3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const xi = x + <usize>i * rowBytes;
    if (x != y) memory.copy(xi, y + <usize>i * rowBytes, 4 * rowBytes);
    solveFourRows(xi, rowBytes, r, inv, n);
  }
  for (; i < m; i++) {
    const xi = x + <usize>i * rowBytes;
    if (x != y) memory.copy(xi, y + <usize>i * rowBytes, rowBytes);
    solveRow(xi, r, inv, n);
  }
}
