// Instances that meet (or, by a switch, violate) the hypotheses of Theorems 4.2 and 4.4 and Proposition 4.3
// (the test families of Thm 4.2, Prop. 4.3 and Thm 4.4: docs/theory.md §9, §10, §11). Everything is drawn from the seeded rng in a fixed order that does not
// depend on the noise sizes, so two calls that differ only in noise share every other draw ("common random
// numbers") — the O(ε) slope tests rely on that.
//
// Conventions: node features are rows (X is n×d_in, as sparseAttention takes them); weights are in the
// paper's orientation, out×in (W_Q is D×d_in at layer 0 and D×D later). All f64.
import fc from 'fast-check';
import { QrDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { jacobiNorm2 } from './jacobi-svd.js';
import { DenseMatrix, rng, csrFromEdges, fullPattern, operatorNorm, type CsrGraph, type Rng } from '../../src/index.js';

/** One layer's weights, out×in. b1 is the FFN hidden bias (length D), absent for the bias-free model of §1.1. */
export interface RawLayer {
  wQ: DenseMatrix<'f64'>;
  wK: DenseMatrix<'f64'>;
  wV: DenseMatrix<'f64'>;
  w1: DenseMatrix<'f64'>;
  w2: DenseMatrix<'f64'>;
  b1?: Float64Array;
  /** The logits' scale s (absent: 1). */
  logitScale?: number;
}

/** A reference network's weights with its input and attention pattern. */
export interface RawInstance {
  x: DenseMatrix<'f64'>;
  layers: RawLayer[];
  pattern: CsrGraph;
}

/**
 * The logit scales the property tests draw (issue 16): 1/√D (the practical variant's), 1/8, 1/4, 1 and two above 1,
 * so that β = max(‖W‖, √s·‖W_Q‖, √s·‖W_K‖) differs from the maps' own norms in both directions. 0 stands for 1/√D.
 */
export const LOGIT_SCALE_CHOICES = [0, 1 / 8, 1 / 4, 1, 2, 4] as const;

/** A drawn logit-scale choice (0: 1/√D) for width D. */
export function resolveLogitScale(choice: number, width: number): number {
  return choice === 0 ? 1 / Math.sqrt(width) : choice;
}

/** fast-check arbitrary of LOGIT_SCALE_CHOICES (0 stands for 1/√D; resolve with resolveLogitScale). */
export function logitScaleChoice(): fc.Arbitrary<number> {
  return fc.constantFrom(...LOGIT_SCALE_CHOICES);
}

function gaussian(g: Rng, rows: number, cols: number, scale = 1): Float64Array {
  return g.fillNormal(new Float64Array(rows * cols), scale);
}

/**
 * ‖W‖₂ of a rows×cols row-major matrix, only used to rescale (tests measure β themselves): the tests' Jacobi SVD up
 * to 64 rows or columns; above, operatorNorm (tol 1e-10), with the SVD again if power iteration stalls on σ₁ ≈ σ₂.
 */
export function spectralNormEstimate(w: Float64Array, rows: number, cols: number): number {
  const m = DenseMatrix.from(w, rows, cols, 'f64');
  const svd = () => jacobiNorm2(w, rows, cols);
  try {
    return Math.min(rows, cols) <= 64 ? svd() : operatorNorm(m, { tol: 1e-10 });
  } catch {
    return svd();
  } finally {
    m.free();
  }
}

function rescaled(w: Float64Array, rows: number, cols: number, beta: number): DenseMatrix<'f64'> {
  const s = beta / spectralNormEstimate(w, rows, cols);
  return DenseMatrix.from(w.map((x) => x * s), rows, cols, 'f64');
}

/**
 * rows×cols with orthonormal columns (rows ≥ cols) or orthonormal rows (rows < cols), from the QR of a
 * Gaussian matrix (signs fixed by R's diagonal): a map of spectral norm exactly 1.
 */
export function orthonormal(g: Rng, rows: number, cols: number): Float64Array {
  if (rows < cols) {
    const t = orthonormal(g, cols, rows), out = new Float64Array(rows * cols);
    for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) out[j * cols + i] = t[i * rows + j];
    return out;
  }
  const q = new QrDecomposition(new MlMatrix(rows, cols).apply(function (this: MlMatrix, i: number, j: number) { this.set(i, j, g.normal()); }));
  const Q = q.orthogonalMatrix, R = q.upperTriangularMatrix;
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const sign = R.get(j, j) < 0 ? -1 : 1;
    for (let i = 0; i < rows; i++) out[i * cols + j] = sign * Q.get(i, j);
  }
  return out;
}

/** Erdős–Rényi pattern with edge probability p plus self-loops; p ≥ 1 gives the full pattern. `group` restricts edges to i, j with equal labels. */
export function randomPattern(g: Rng, n: number, p: number, group?: Int32Array): CsrGraph {
  if (p >= 1 && !group) return fullPattern(n);
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const u = g.float();
    if (group && group[i] !== group[j]) continue;
    if (u < p) { rows.push(i); cols.push(j); }
  }
  return csrFromEdges(rows, cols, { numNodes: n, selfLoops: true });
}

// ---------------------------------------------------------------------------------------------------
// Theorem 4.2 (§5(d)): near-low-rank X and W_1 = E·B/‖E·B‖ + noise.

export interface NearLowRankParams {
  n: number;
  dIn: number;
  width: number;
  layers: number;
  /** Rank r of the clean part of X and of E·B. */
  rank: number;
  /** Size of the unit-column noise added to X (before the global rescale to √α₀). */
  noiseX: number;
  /** Size of the Gaussian noise N/(2√D) added to E·B/‖E·B‖ (before the rescale to β). */
  noiseW: number;
  beta: number;
  /** max_i ‖x_i‖² after rescaling. */
  alpha0: number;
  /** Edge probability of the Erdős–Rényi mask (≥ 1: full attention). */
  edgeProb: number;
  /** Norm of the common mean of the clean coefficients, relative to their per-node spread 1 (default 0). */
  meanSize?: number;
  /** Logit scale of every layer (LOGIT_SCALE_CHOICES, 0 = 1/√D; default 1). */
  logitScale?: number;
  seed: number;
}

/**
 * Q (p×r, orthonormal) turned within its span by a Householder reflection so that the coordinates Qᵀv of
 * v are all equal and positive: ReLU then passes the mean activation in every hidden coordinate, and its
 * clipping pattern does not change under small perturbations (keeps the O(ε) regime clean).
 */
function alignedBasis(q: MlMatrix, v: MlMatrix): MlMatrix {
  const r = q.columns;
  const c = q.transpose().mmul(v).to1DArray();
  const cn = Math.hypot(...c);
  const w = c.map((x) => x / cn - 1 / Math.sqrt(r));
  const wn2 = w.reduce((a, b) => a + b * b, 0);
  if (wn2 < 1e-30) return q;
  const h = MlMatrix.eye(r).sub(new MlMatrix([w]).transpose().mmul(new MlMatrix([w])).mul(2 / wn2));
  return q.mmul(h);
}

/**
 * §5(d): X = (rank r) + noiseX·(unit rows), rescaled so max ‖x_i‖ = √α₀, and W_1 = EB/‖EB‖ + noiseW·N/(2√D)
 * rescaled to β, with E ≥ 0 one positive entry per row (so ReLU(EBH) has rank ≤ r) and N Gaussian.
 * The clean X has orthonormal right factor and row coefficients N(μ, I/r) (|μ| = 1, so attention averages
 * keep their size). B's rows span the values' clean subspace orth(W_V S_ℓ) (S_ℓ: the clean subspace of the
 * layer input), so the signal through W_1 is of the order of ‖h‖ and a noise of 0.2 is a perturbation —
 * the O(ε) tests need that. W_V, W_2 are β·(random orthonormal columns); W_Q, W_K Gaussian rescaled to β.
 */
export function nearLowRankInstance(p: NearLowRankParams): RawInstance {
  const g = rng(p.seed);
  const { n, dIn, width: D, rank: r } = p;
  const right = orthonormal(g, dIn, r); // dIn×r: the clean row space of X
  const mean = gaussian(g, r, 1);
  const mn = Math.hypot(...mean);
  const coef = gaussian(g, n, r, 1 / Math.sqrt(r)), noise = gaussian(g, n, dIn);
  const x = new Float64Array(n * dIn);
  for (let i = 0; i < n; i++) {
    let nn = 0;
    for (let j = 0; j < dIn; j++) nn += noise[i * dIn + j] ** 2;
    nn = Math.sqrt(nn);
    for (let j = 0; j < dIn; j++) {
      let s = 0;
      for (let t = 0; t < r; t++) s += ((p.meanSize ?? 0) * mean[t] / mn + coef[i * r + t]) * right[j * r + t];
      x[i * dIn + j] = s + p.noiseX * noise[i * dIn + j] / nn;
    }
  }
  let mx = 0;
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < dIn; j++) s += x[i * dIn + j] ** 2; mx = Math.max(mx, s); }
  const sx = Math.sqrt(p.alpha0 / mx);
  const layers: RawLayer[] = [];
  let signal = new MlMatrix(Array.from({ length: dIn }, (_, j) => Array.from(right.subarray(j * r, (j + 1) * r))));
  let meanDir = signal.mmul(new MlMatrix([Array.from(mean)]).transpose());
  for (let l = 0; l < p.layers; l++) {
    const din = l === 0 ? dIn : D;
    const wQ = rescaled(gaussian(g, D, din), D, din, p.beta);
    const wK = rescaled(gaussian(g, D, din), D, din, p.beta);
    const wVo = orthonormal(g, D, din), w2o = orthonormal(g, D, D);
    const wV = DenseMatrix.from(wVo.map((v) => v * p.beta), D, din, 'f64');
    const w2 = DenseMatrix.from(w2o.map((v) => v * p.beta), D, D, 'f64');
    const wVm = new MlMatrix(Array.from({ length: D }, (_, i) => Array.from(wVo.subarray(i * din, (i + 1) * din))));
    const values = alignedBasis(new QrDecomposition(wVm.mmul(signal)).orthogonalMatrix, wVm.mmul(meanDir)); // D×r
    // E ≥ 0 with exactly one positive entry per row: row j of ReLU(E·B·H) is a positive multiple of a row of ReLU(B·H).
    const e = new Float64Array(D * r);
    for (let j = 0; j < D; j++) e[j * r + g.int(r)] = 0.5 + g.float();
    const nW = gaussian(g, D, D);
    const eb = new Float64Array(D * D);
    for (let i = 0; i < D; i++) for (let t = 0; t < r; t++) {
      const f = e[i * r + t];
      if (f !== 0) for (let j = 0; j < D; j++) eb[i * D + j] += f * values.get(j, t);
    }
    const ebNorm = spectralNormEstimate(eb, D, D);
    const w1 = eb.map((v, idx) => v / ebNorm + p.noiseW * nW[idx] / (2 * Math.sqrt(D)));
    layers.push({ wQ, wK, wV, w1: rescaled(w1, D, D, p.beta), w2, ...scaleOf(p.logitScale, D) });
    const w2e = new MlMatrix(Array.from({ length: D }, (_, i) => Array.from(w2o.subarray(i * D, (i + 1) * D))))
      .mmul(new MlMatrix(Array.from({ length: D }, (_, i) => Array.from(e.subarray(i * r, (i + 1) * r)))));
    signal = new QrDecomposition(w2e).orthogonalMatrix; // D×r: the clean subspace of H^(ℓ+1)
    meanDir = w2e.mmul(MlMatrix.ones(r, 1)); // the mean hidden vector is E·𝟙 (times a scale): B's basis makes v̄'s coordinates equal
  }
  const pattern = randomPattern(g, n, p.edgeProb);
  return { x: DenseMatrix.from(x.map((v) => v * sx), n, dIn, 'f64'), layers, pattern };
}

/** { logitScale } for a drawn choice, or nothing for the default scale 1 (so the layer looks like the §1.1 model). */
function scaleOf(choice: number | undefined, width: number): { logitScale?: number } {
  return choice === undefined || choice === 1 ? {} : { logitScale: resolveLogitScale(choice, width) };
}

/** Small instances for CI: n ≤ 120, D ≤ 48, r ≤ d, logit scales from LOGIT_SCALE_CHOICES. */
export function nearLowRankParams(maxNoise = 0.05): fc.Arbitrary<NearLowRankParams> {
  return fc.record({
    logitScale: logitScaleChoice(),
    n: fc.integer({ min: 20, max: 120 }),
    dIn: fc.integer({ min: 8, max: 24 }),
    width: fc.integer({ min: 16, max: 48 }),
    layers: fc.integer({ min: 1, max: 3 }),
    rank: fc.integer({ min: 1, max: 4 }),
    noiseX: fc.double({ min: 0, max: maxNoise, noNaN: true }),
    noiseW: fc.double({ min: 0, max: maxNoise, noNaN: true }),
    beta: fc.constantFrom(0.5, 1, 1.5),
    alpha0: fc.constantFrom(0.25, 1, 2),
    edgeProb: fc.constantFrom(0.1, 0.3, 1),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

// ---------------------------------------------------------------------------------------------------
// Proposition 4.3 (§6(d)): a coherent column space.

export interface CoherentParams {
  width: number;
  n: number;
  /** Rank d of the column space. */
  rank: number;
  /** Norm of each node's off-subspace noise (the nodes themselves have norm ≈ 1). */
  noise: number;
  seed: number;
}

/** A coherent D×d column basis and H (n×D, nodes as rows) within `noise` of it. */
export interface CoherentInstance {
  /** D×d, not orthonormal: G/√D with column d−1 zeroed, plus 3·I on the first d rows. */
  basis: DenseMatrix<'f64'>;
  h: DenseMatrix<'f64'>;
}

/**
 * §6(d): A = G/√D with column d−1 zeroed plus 3·I on the first d rows, so direction d−1 lives in feature
 * row d−1 alone (leverage 1), which uniform sampling misses with probability (1 − 1/D)^k. Node i is
 * h_i = A·b_i/‖A·b_i‖ + noise·u_i with u_i a unit vector orthogonal to col(A).
 */
export function coherentInstance(p: CoherentParams): CoherentInstance {
  const g = rng(p.seed);
  const { width: D, n, rank: d } = p;
  const a = gaussian(g, D, d, 1 / Math.sqrt(D));
  for (let r = 0; r < D; r++) a[r * d + d - 1] = 0;
  for (let t = 0; t < d; t++) a[t * d + t] += 3;
  const q = new QrDecomposition(new MlMatrix(Array.from({ length: D }, (_, r) => Array.from(a.subarray(r * d, (r + 1) * d))))).orthogonalMatrix;
  const h = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const b = gaussian(g, d, 1), u = gaussian(g, D, 1);
    const row = new Float64Array(D);
    for (let r = 0; r < D; r++) { let s = 0; for (let t = 0; t < d; t++) s += a[r * d + t] * b[t]; row[r] = s; }
    const rn = Math.hypot(...row);
    // project u off col(A) so the noise is exactly the distance to the subspace
    const c = new Float64Array(d);
    for (let t = 0; t < d; t++) { let s = 0; for (let r = 0; r < D; r++) s += q.get(r, t) * u[r]; c[t] = s; }
    for (let r = 0; r < D; r++) { let s = 0; for (let t = 0; t < d; t++) s += q.get(r, t) * c[t]; u[r] -= s; }
    const un = Math.hypot(...u);
    for (let r = 0; r < D; r++) h[i * D + r] = row[r] / rn + p.noise * u[r] / un;
  }
  return { basis: DenseMatrix.from(a, D, d, 'f64'), h: DenseMatrix.from(h, n, D, 'f64') };
}

// ---------------------------------------------------------------------------------------------------
// Theorem 4.4 (§7(d)): clustered inputs, block-diagonal masks, orthogonal/β-scaled weights.

export interface ClusteredParams {
  n: number;
  clusters: number;
  dIn: number;
  width: number;
  layers: number;
  /** x_i = μ_a + spread·√α₀·u·(unit noise), u ~ U[0, 1]. */
  spread: number;
  beta: number;
  alpha0: number;
  /** Within-cluster edge probability of the block-diagonal mask (self-loops always added). */
  edgeProb: number;
  /** Give every layer a hidden bias b1 of this size (0: no bias, the §1.1 model). */
  biasScale: number;
  /** Logit scale of every layer (LOGIT_SCALE_CHOICES, 0 = 1/√D; default 1). */
  logitScale?: number;
  seed: number;
}

export interface ClusteredInstance extends RawInstance {
  /** The generating cluster of each node (0..k−1). */
  labels: Int32Array;
}

/**
 * §7(d): k orthonormal input centres μ_a of norm √α₀ in R^{d_in}; x_i = μ_a + spread·√α₀·u·(unit noise);
 * a block-diagonal mask (N(i) ⊆ cluster(i)); W_V, W_1, W_2 = β·(random orthonormal columns); W_Q, W_K
 * Gaussian rescaled to β. Nodes are assigned to clusters round-robin, so every cluster is non-empty.
 */
export function clusteredInstance(p: ClusteredParams): ClusteredInstance {
  const g = rng(p.seed);
  const { n, clusters: k, dIn, width: D } = p;
  const mu = orthonormal(g, dIn, k);
  const labels = new Int32Array(n);
  const x = new Float64Array(n * dIn);
  const ra = Math.sqrt(p.alpha0);
  for (let i = 0; i < n; i++) {
    const a = i % k;
    labels[i] = a;
    const u = g.float(), z = gaussian(g, dIn, 1);
    const zn = Math.hypot(...z);
    for (let j = 0; j < dIn; j++) x[i * dIn + j] = ra * mu[j * k + a] + p.spread * ra * u * z[j] / zn;
  }
  const layers: RawLayer[] = [];
  const orth = (rows: number, cols: number) => DenseMatrix.from(orthonormal(g, rows, cols).map((v) => v * p.beta), rows, cols, 'f64');
  for (let l = 0; l < p.layers; l++) {
    const din = l === 0 ? dIn : D;
    const wQ = rescaled(gaussian(g, D, din), D, din, p.beta);
    const wK = rescaled(gaussian(g, D, din), D, din, p.beta);
    const wV = orth(D, din), w1 = orth(D, D), w2 = orth(D, D);
    const bias = gaussian(g, D, 1, p.biasScale / Math.sqrt(D));
    layers.push({ wQ, wK, wV, w1, w2, ...(p.biasScale > 0 ? { b1: bias } : {}), ...scaleOf(p.logitScale, D) });
  }
  const pattern = randomPattern(g, n, p.edgeProb, labels);
  return { x: DenseMatrix.from(x, n, dIn, 'f64'), layers, pattern, labels };
}

/** Small instances for CI: n ≤ 160, D ≤ 64, k ≤ 4, L ≤ 2, spread ≤ maxSpread, logit scales from LOGIT_SCALE_CHOICES. */
export function clusteredParams(maxSpread = 0.05): fc.Arbitrary<ClusteredParams> {
  return fc.record({
    logitScale: logitScaleChoice(),
    n: fc.integer({ min: 40, max: 160 }),
    clusters: fc.integer({ min: 2, max: 4 }),
    dIn: fc.integer({ min: 8, max: 24 }),
    width: fc.constantFrom(32, 64),
    layers: fc.integer({ min: 1, max: 2 }),
    spread: fc.double({ min: 0.001, max: maxSpread, noNaN: true }),
    beta: fc.constantFrom(1, 1.25),
    alpha0: fc.constantFrom(0.5, 1),
    edgeProb: fc.constantFrom(0.2, 0.3),
    biasScale: fc.constant(0),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

export interface ClusteredStatesParams {
  n: number;
  clusters: number;
  width: number;
  /** Relative spread: ‖h_i − c_{a(i)}‖ ≤ spread·‖c_{a(i)}‖ for the generating centres. */
  spread: number;
  /** Pairwise correlation of the unit centre directions (0: orthogonal; 0.9: hardly separated). */
  correlation: number;
  /** Centre norms are drawn uniformly from [normMin, normMax]. */
  normMin: number;
  normMax: number;
  seed: number;
}

/**
 * Hidden states that are clustered by construction (for the one-hot step on its own): centre directions
 * u_a = √(1−c)·e_a + √c·e_0' (pairwise correlation c), norms in [normMin, normMax], and
 * h_i = c_{a(i)} + spread·‖c_{a(i)}‖·u·(unit noise), u ~ U[0, 1]. Returns n×D states and the labels.
 */
export function clusteredStates(p: ClusteredStatesParams): { h: DenseMatrix<'f64'>; labels: Int32Array } {
  const g = rng(p.seed);
  const { n, clusters: k, width: D } = p;
  const basis = orthonormal(g, D, k + 1);
  const centres = new Float64Array(k * D);
  for (let a = 0; a < k; a++) {
    const norm = p.normMin + (p.normMax - p.normMin) * g.float();
    for (let j = 0; j < D; j++) {
      centres[a * D + j] = norm * (Math.sqrt(1 - p.correlation) * basis[j * (k + 1) + a] + Math.sqrt(p.correlation) * basis[j * (k + 1) + k]);
    }
  }
  const h = new Float64Array(n * D), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = i % k;
    labels[i] = a;
    const u = g.float(), z = gaussian(g, D, 1);
    const zn = Math.hypot(...z);
    let cn = 0;
    for (let j = 0; j < D; j++) cn += centres[a * D + j] ** 2;
    cn = Math.sqrt(cn);
    for (let j = 0; j < D; j++) h[i * D + j] = centres[a * D + j] + p.spread * cn * u * z[j] / zn;
  }
  return { h: DenseMatrix.from(h, n, D, 'f64'), labels };
}
