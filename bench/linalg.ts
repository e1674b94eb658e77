// Dense linear algebra in f64 (compression and certificates): randomized SVD 20000×256 (k = 16, p = 10,
// q = 2), column-pivoted and plain Householder QR 4000×256, exact leverage scores 20000×16 — the inputs of
// the shared anchors' linalg_native.py (a rank-16 product plus 1e-3 noise for the SVD, Gaussian
// otherwise). Peer: ml-matrix (full SVD, unpivoted QR) on the same input.
// Every narrowgt call runs inside scope(), so the WASM blocks of its result are freed after each call.
import { Matrix, QrDecomposition, SVD } from 'ml-matrix';
import { DenseMatrix, leverageScores, pivotedQr, qr, randomizedSvd, scope } from '../src/index.js';
import type { Group, Suite } from './harness.js';
import { gaussian, lowRankPlusNoise } from './low-rank-input.js';

function toMl(values: Float64Array, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, values[i * cols + j]);
  return m;
}

function rowSquaredNorms(q: Matrix): Float64Array {
  const out = new Float64Array(q.rows);
  for (let i = 0; i < q.rows; i++) { let s = 0; for (let j = 0; j < q.columns; j++) s += q.get(i, j) ** 2; out[i] = s; }
  return out;
}

function groups(): Group[] {
  const l = lowRankPlusNoise(20000, 256, 16);
  const L = DenseMatrix.from(l, 20000, 256, 'f64'), Lml = toMl(l, 20000, 256);
  const mv = gaussian(4, 4000, 256);
  const M = DenseMatrix.from(mv, 4000, 256, 'f64'), Mml = toMl(mv, 4000, 256);
  const bv = gaussian(5, 20000, 16);
  const B = DenseMatrix.from(bv, 20000, 16, 'f64'), Bml = toMl(bv, 20000, 16);
  return [
    {
      suite: 'linalg', title: 'randomized SVD 20000×256 (rank 16 + 1e-3 noise), k = 16, p = 10, q = 2, f64',
      tasks: [
        { name: 'randomizedSvd(a, 16, { oversamples: 10, powerIters: 2 }) 20000×256', role: 'narrowgt',
          fn: () => scope(() => { randomizedSvd(L, 16, { oversamples: 10, powerIters: 2, seed: 0 }); }) },
        // the full SVD takes tens of seconds: one timed call, no warm-up, first round only
        { name: 'new SVD(a) 20000×256 (ml-matrix, full SVD)', role: 'peer', iterations: 1, time: 0, warmup: 0, oneRound: true,
          fn: () => new SVD(Lml, { autoTranspose: true }) },
      ],
      teardown: () => L.free(),
    },
    {
      suite: 'linalg', title: 'column-pivoted QR 4000×256, f64',
      tasks: [
        { name: 'pivotedQr(a) 4000×256', role: 'narrowgt', fn: () => scope(() => { pivotedQr(M); }) },
        { name: 'pivotedQr(a).orthogonalMatrix 4000×256 (with thin Q, as SciPy mode=economic)', role: 'narrowgt',
          fn: () => scope(() => { void pivotedQr(M).orthogonalMatrix; }) },
        { name: 'new QrDecomposition(a) 4000×256 (ml-matrix, unpivoted)', role: 'peer', iterations: 3, fn: () => new QrDecomposition(Mml) },
      ],
    },
    {
      suite: 'linalg', title: 'Householder QR 4000×256, f64',
      tasks: [
        { name: 'qr(a) 4000×256', role: 'narrowgt', fn: () => scope(() => { qr(M); }) },
        { name: 'qr(a).orthogonalMatrix 4000×256 (with thin Q, as NumPy)', role: 'narrowgt', fn: () => scope(() => { void qr(M).orthogonalMatrix; }) },
        { name: 'new QrDecomposition(a) 4000×256 (ml-matrix)', role: 'peer', iterations: 3, fn: () => new QrDecomposition(Mml) },
      ],
      teardown: () => M.free(),
    },
    {
      suite: 'linalg', title: 'exact leverage scores 20000×16, f64',
      tasks: [
        { name: 'leverageScores(a) 20000×16', role: 'narrowgt', fn: () => leverageScores(B) },
        { name: 'row norms² of new QrDecomposition(a).orthogonalMatrix 20000×16 (ml-matrix)', role: 'peer', iterations: 3,
          fn: () => rowSquaredNorms(new QrDecomposition(Bml).orthogonalMatrix) },
      ],
      teardown: () => B.free(),
    },
  ];
}

export const linalgSuite: Suite = {
  name: 'linalg',
  groups: async () => groups(),
};
