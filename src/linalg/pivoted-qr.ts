// Column-pivoted QR (f64) with LAPACK geqp3 semantics, and the numerical rank it reveals.
import { checkOptionsObject } from '../runtime/validate.js';
import { ArgumentRangeError, ArgumentTypeError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { Storage, type DType } from '../runtime/storage.js';
import * as twin from '../twin/qr_pivoted.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { CompactQr } from './qr.js';

export interface PivotedQrOptions {
  /**
   * Relative tolerance of the numerical rank: rank = the number of leading k with |R_kk| > tol·|R_00|.
   * Default max(m, n)·ε (ε = 2⁻⁵², the convention of numpy.linalg.matrix_rank applied to R's diagonal).
   */
  tol?: number;
}

/** Checks an optional relative tolerance (finite, ≥ 0), naming fn and the option. */
export function checkTolerance(fn: string, tol: unknown): void {
  if (tol === undefined) return;
  if (typeof tol !== 'number' || !Number.isFinite(tol)) throw new ArgumentTypeError(`${fn}: options.tol must be a finite number, got ${String(tol)}`);
  if (tol < 0) throw new ArgumentRangeError(`${fn}: options.tol must be ≥ 0, got ${tol}`);
}

/**
 * A·P = Q·R with the column permutation P chosen greedily (geqp3). Getters as HouseholderQr (R is of the
 * permuted matrix A·P), plus the permutation and the numerical rank. See pivotedQr().
 */
export class PivotedQr extends CompactQr {
  /** The numerical rank at the tolerance given (see PivotedQrOptions.tol). */
  readonly rank: number;
  /** The relative tolerance the rank was counted at. */
  readonly tol: number;
  private readonly jpvt: Storage<'i32'>;

  constructor(a: DenseMatrix<'f64'>, options: PivotedQrOptions = {}) {
    requireF64Matrix('pivotedQr', 'a', a);
    checkOptionsObject('pivotedQr', options);
    checkTolerance('pivotedQr', options.tol);
    super(a.rows, a.cols);
    const m = a.rows, n = a.cols;
    this.jpvt = Storage.alloc('i32', n);
    runKernel({
      args: [this.factor, a.storage, this.tau, this.jpvt] as Storage<DType>[],
      writes: [this.factor, this.tau, this.jpvt] as Storage<DType>[],
      kernel: (k, [pw, pa, pt, pp]) => k.pivoted_qr_f64(pw, pa, pt, pp, m, n),
      twin: () => twin.pivoted_qr_f64(this.factor.array, a.data, this.tau.array, this.jpvt.array, m, n),
    });
    this.tol = options.tol ?? Math.max(m, n) * 2 ** -52;
    this.rank = this.countRank(this.tol);
  }

  protected get className(): string {
    return 'PivotedQr';
  }

  override storages(): Storage<DType>[] {
    return [...super.storages(), this.jpvt as Storage<DType>];
  }

  /** p with (A·P)[:, k] = A[:, p[k]]: the original index of the column in position k (a copy). */
  get pivotPermutationVector(): Int32Array {
    this.checkLive('pivotPermutationVector');
    return this.jpvt.array.slice();
  }

  /** |R_00|, |R_11|, …: the diagonal of R in absolute value (non-increasing up to ~√ε relative). */
  get diagonalMagnitudes(): Float64Array {
    this.checkLive('diagonalMagnitudes');
    const m = this.rows, k = Math.min(m, this.cols), w = this.factor.array;
    const d = new Float64Array(k);
    for (let j = 0; j < k; j++) d[j] = Math.abs(w[j * m + j]);
    return d;
  }

  /** The number of leading |R_kk| > tol·|R_00| (0 for a zero matrix). */
  rankAt(tol: number): number {
    checkTolerance('PivotedQr.rankAt', tol);
    this.checkLive('rankAt');
    return this.countRank(tol);
  }

  override free(): void {
    super.free();
    this.jpvt.free();
  }

  private countRank(tol: number): number {
    const d = this.diagonalMagnitudes;
    if (d[0] === 0) return 0;
    const cut = tol * d[0];
    let r = 0;
    while (r < d.length && d[r] > cut) r++;
    return r;
  }
}

/**
 * Column-pivoted Householder QR, A·P = Q·R (f64), for any m×n with m, n ≥ 1: at each step the remaining
 * column of largest norm is brought forward, so |R_00| ≥ |R_11| ≥ … and |R_kk| ≥ ‖R[k:j+1, j]‖ for j > k;
 * `rank` counts the leading |R_kk| > tol·|R_00|.
 * Reference: Businger & Golub (1965); LAPACK dgeqp3 (Quintana-Ortí, Sun & Bischof 1998) for the blocked
 * algorithm and Drmač & Bujanović (2008) for the norm-downdating safeguard; Golub & Van Loan §5.4.2.
 * Cost: 2·m·n² − 2n³/3 flops (m ≥ n), half in gemm_f64, half matrix–vector.
 * Accuracy: backward stable (‖AP − QR‖ ≲ c·n·ε·‖A‖); the pivot order is exact up to ties within the
 * ~√ε relative error of the downdated norms. CPQR reveals the rank of most matrices but not all
 * (Kahan's matrix is the classical exception).
 * Throws InputError (not a DenseMatrix, not f64, NaN/±Inf), ShapeError (empty), TypeError/RangeError
 * (bad options.tol) — before any work.
 */
export function pivotedQr(a: DenseMatrix<'f64'>, options: PivotedQrOptions = {}): PivotedQr {
  return new PivotedQr(a, options);
}
