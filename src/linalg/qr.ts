// Householder QR (f64) on the active backend: the blocked kernel in assembly/householder.ts or its TS twin.
// The factorisation is kept in LAPACK's compact form (R plus the Householder vectors, column-major), so
// Qᵀ·b and Q·b cost O(m·k·cols) without ever forming Q; Q itself is formed only when asked for.
import { InputError, ShapeError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { Storage, type DType, type Owner } from '../runtime/storage.js';
import { assertFiniteStorage } from '../runtime/validate.js';
import * as twin from '../twin/householder.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';

/**
 * A factorisation A·P = Q·R kept in compact Householder form (P = I for plain QR). Shared by
 * HouseholderQr and PivotedQr: the getters and the applications of Q do not care how the columns were
 * ordered. Not constructed directly.
 */
export abstract class CompactQr implements Owner {
  /** m, the number of rows of A. */
  readonly rows: number;
  /** n, the number of columns of A. */
  readonly cols: number;
  /** Column-major factor: n columns of length m (R on and above the diagonal, v_j below). */
  protected readonly factor: Storage<'f64'>;
  /** τ_j of the min(m, n) reflectors. */
  protected readonly tau: Storage<'f64'>;
  private freed = false;

  protected constructor(rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    this.factor = Storage.alloc('f64', rows * cols);
    this.tau = Storage.alloc('f64', Math.min(rows, cols));
  }

  /** The public class name, for error messages. */
  protected abstract get className(): string;

  storages(): Storage<DType>[] {
    return [this.factor as Storage<DType>, this.tau as Storage<DType>];
  }

  protected checkLive(member: string): void {
    if (this.freed) throw new InputError(`${this.className}.${member}: the factorisation was freed`);
  }

  /** R, min(m, n)×n upper triangular (upper trapezoidal when m < n). O(min(m, n)·n). */
  get upperTriangularMatrix(): DenseMatrix<'f64'> {
    this.checkLive('upperTriangularMatrix');
    const m = this.rows, n = this.cols, k = Math.min(m, n);
    const r = DenseMatrix.zeros(k, n, 'f64');
    const d = r.data, w = this.factor.array;
    for (let j = 0; j < n; j++) {
      const top = Math.min(j, k - 1);
      for (let i = 0; i <= top; i++) d[i * n + j] = w[j * m + i];
    }
    return r;
  }

  /** The thin Q, m×min(m, n), with orthonormal columns; formed on request (LAPACK dorgqr's blocked scheme), 2·m·k² − 2k³/3 flops for k = min(m, n). */
  get orthogonalMatrix(): DenseMatrix<'f64'> {
    this.checkLive('orthogonalMatrix');
    const m = this.rows, k = Math.min(m, this.cols);
    const q = DenseMatrix.zeros(m, k, 'f64');
    runKernel({
      args: [q.storage, this.factor, this.tau] as Storage<DType>[],
      writes: [q.storage as Storage<DType>],
      kernel: (kern, [pq, pw, pt]) => kern.householder_form_q_f64(pq, pw, pt, m, k),
      twin: () => twin.householder_form_q_f64(q.data, this.factor.array, this.tau.array, m, k),
    });
    return q;
  }

  /**
   * Qᵀ·b for b m×c, with Q the full m×m orthogonal factor (its first min(m, n) rows are the thin Qᵀ·b).
   * Cost 4·m·min(m, n)·c flops; Q is never formed. Throws InputError / ShapeError on a bad b.
   */
  applyQt(b: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
    const fn = `${this.className}.applyQt`;
    this.checkLive('applyQt');
    checkF64Operand(fn, b);
    if (b.rows !== this.rows) throw new ShapeError(`${fn}: b has ${b.rows} rows, expected m = ${this.rows}`);
    const out = b.clone('f64');
    this.apply(out, 1);
    return out;
  }

  /**
   * Q·b with the full m×m Q when b is m×c, or with the thin m×min(m, n) Q when b is min(m, n)×c (then
   * b is padded with zero rows). Cost 4·m·min(m, n)·c flops. Throws InputError / ShapeError on a bad b.
   */
  applyQ(b: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
    const fn = `${this.className}.applyQ`;
    this.checkLive('applyQ');
    checkF64Operand(fn, b);
    const m = this.rows, k = Math.min(m, this.cols);
    if (b.rows !== m && b.rows !== k) throw new ShapeError(`${fn}: b has ${b.rows} rows, expected m = ${m} (full Q) or min(m, n) = ${k} (thin Q)`);
    const out = DenseMatrix.zeros(m, b.cols, 'f64');
    out.data.set(b.data);
    this.apply(out, 0);
    return out;
  }

  /** Releases the factor's memory (idempotent); the object cannot be used afterwards. */
  free(): void {
    this.freed = true;
    this.factor.free();
    this.tau.free();
  }

  /** b := Q·b (trans 0) or Qᵀ·b (trans 1) in place, b m×c. */
  protected apply(b: DenseMatrix<'f64'>, trans: 0 | 1): void {
    const m = this.rows, k = Math.min(m, this.cols), c = b.cols;
    if (c === 0) return;
    runKernel({
      args: [b.storage, this.factor, this.tau] as Storage<DType>[],
      writes: [b.storage as Storage<DType>],
      kernel: (kern, [pb, pw, pt]) => kern.householder_apply_f64(pb, pw, pt, m, k, c, trans),
      twin: () => twin.householder_apply_f64(b.data, this.factor.array, this.tau.array, m, k, c, trans),
    });
  }
}

function checkF64Operand(fn: string, b: unknown): asserts b is DenseMatrix<'f64'> {
  if (!(b instanceof DenseMatrix)) throw new InputError(`${fn}: b must be a DenseMatrix`);
  if (b.dtype !== 'f64') throw new InputError(`${fn}: b is ${b.dtype}; the factorisation is f64 (convert with b.clone('f64'))`);
  assertFiniteStorage(fn, 'b', b.storage as Storage<DType>);
}

/**
 * Householder QR, A = Q·R (f64), in the ml-matrix style: the constructor does the work, the getters
 * are named after the mathematics. See qr().
 */
export class HouseholderQr extends CompactQr {
  constructor(a: DenseMatrix<'f64'>) {
    requireF64Matrix('qr', 'a', a);
    super(a.rows, a.cols);
    const m = a.rows, n = a.cols;
    runKernel({
      args: [this.factor, a.storage, this.tau] as Storage<DType>[],
      writes: [this.factor, this.tau] as Storage<DType>[],
      kernel: (kern, [pw, pa, pt]) => kern.householder_qr_f64(pw, pa, pt, m, n),
      twin: () => twin.householder_qr_f64(this.factor.array, a.data, this.tau.array, m, n),
    });
  }

  protected get className(): string {
    return 'HouseholderQr';
  }
}

/**
 * Householder QR of an m×n f64 matrix (any m, n ≥ 1): A = Q·R with Q m×min(m, n) orthonormal and R
 * min(m, n)×n upper triangular (R_jj may be negative: LAPACK's sign convention).
 * Reference: Golub & Van Loan, Matrix Computations (4th ed.) Alg. 5.2.1 with the compact WY blocking of
 * §5.2.3 (LAPACK dgeqrf); panels of 32 columns factored recursively (Elmroth & Gustavson 2000), trailing
 * updates through gemm_f64.
 * Cost: 2·m·n² − 2n³/3 flops (m ≥ n) for the factorisation; Q, Qᵀ·b and Q·b are extra and on request.
 * Accuracy: backward stable, ‖A − QR‖ ≲ c·n·ε·‖A‖ and ‖QᵀQ − I‖ ≲ c·n·ε (tests check c < 30).
 * Throws InputError for a non-DenseMatrix, a non-f64 matrix or a NaN/±Inf entry, ShapeError for an
 * empty matrix — before any work.
 */
export function qr(a: DenseMatrix<'f64'>): HouseholderQr {
  return new HouseholderQr(a);
}
