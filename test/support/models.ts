// Generators of models, inputs and attention patterns for the model and compression tests (the test families of Thm 3.3 and
// Prop. 4.1: docs/theory.md §4, §5), plus a plain-loop f64 implementation of Sec. 2 and App. D.2 (docs/theory.md §2, §17) that the library's forward is tested
// against. Everything is drawn from the seeded rng; nodes are rows (X is n×d_in), weights out×in.
import { Matrix as MlMatrix, SVD } from 'ml-matrix';
import {
  ConvergenceError, DenseMatrix, GraphTransformer, createModel, csrFromEdges, fullPattern, graphWithExpander, operatorNorm, rng,
  foldBatchNorm, type Activation, type CsrGraph, type LayerWeights, type Rng,
} from '../../src/index.js';

/** rows×cols with iid N(0, 1) entries. */
export function gaussianMatrix(g: Rng, rows: number, cols: number): DenseMatrix<'f64'> {
  return DenseMatrix.from(g.fillNormal(new Float64Array(rows * cols)), rows, cols, 'f64');
}

/**
 * σ_max for the tests' own measurements: operatorNorm's power iteration, or ml-matrix's SVD when the power
 * iteration stalls (σ₁ ≈ σ₂ in 128×128 Gaussian maps made it throw ConvergenceError in a 1000-case run).
 * Independent of the certificates' Lanczos (src/compress/basis.ts).
 */
export function sigmaMax(m: DenseMatrix<'f64'>): number {
  try {
    return operatorNorm(m, { tol: 1e-13, maxIterations: 20000 });
  } catch (e) {
    if (!(e instanceof ConvergenceError)) throw e;
    return new SVD(m.toMl(MlMatrix), { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal[0];
  }
}

/** m·(beta/‖m‖₂) in place (tests measure β again, they never assume it). */
export function scaleToNorm(m: DenseMatrix<'f64'>, beta: number): DenseMatrix<'f64'> {
  const s = sigmaMax(m);
  if (s > 0) for (let i = 0; i < m.data.length; i++) m.data[i] *= beta / s;
  return m;
}

/** A Gaussian rows×cols matrix rescaled to spectral norm beta. */
export function weightWithNorm(g: Rng, rows: number, cols: number, beta: number): DenseMatrix<'f64'> {
  return scaleToNorm(gaussianMatrix(g, rows, cols), beta);
}

/**
 * Prop. 4.1, App. C.2; docs/theory.md#5-proposition-41--exact-low-rank (hypotheses): W_1 = E·B with E ∈ R_{≥0}^{D×r} holding exactly one positive entry per row (at π(j)) and
 * B ∈ R^{r×D}, so row j of ReLU(W_1 H) is s_j·ReLU((BH)_{π(j)}) and rank(H^(ℓ+3/4)) ≤ r. With `bias`,
 * b_1 = E·c keeps the structure (ReLU(s_j((BH)_π + c_π)) = s_j·ReLU(…)). Rescaled to norm beta (b_1 too).
 */
export function reluLowRankW1(g: Rng, hidden: number, input: number, rank: number, beta: number, bias = false): { w1: DenseMatrix<'f64'>; b1: Float64Array | null } {
  const e = new Float64Array(hidden * rank);
  for (let j = 0; j < hidden; j++) e[j * rank + (j < rank ? j : g.int(rank))] = 0.5 + g.float();
  const b = g.fillNormal(new Float64Array(rank * input));
  const w = new Float64Array(hidden * input);
  for (let j = 0; j < hidden; j++) for (let k = 0; k < rank; k++) {
    const ejk = e[j * rank + k];
    if (ejk !== 0) for (let t = 0; t < input; t++) w[j * input + t] += ejk * b[k * input + t];
  }
  const w1 = DenseMatrix.from(w, hidden, input, 'f64');
  const s = sigmaMax(w1);
  for (let i = 0; i < w1.data.length; i++) w1.data[i] *= beta / s;
  if (!bias) return { w1, b1: null };
  const c = g.fillNormal(new Float64Array(rank), 0.3);
  const b1 = new Float64Array(hidden);
  for (let j = 0; j < hidden; j++) for (let k = 0; k < rank; k++) b1[j] += e[j * rank + k] * c[k] * (beta / s);
  return { w1, b1 };
}

/** Rows rescaled to norm √alpha0 (a zero row stays zero). Row scaling keeps the rank. */
export function normalizeRows(x: DenseMatrix<'f64'>, alpha0: number): DenseMatrix<'f64'> {
  const d = x.data, c = x.cols;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += d[i * c + j] ** 2;
    const f = s > 0 ? Math.sqrt(alpha0 / s) : 0;
    for (let j = 0; j < c; j++) d[i * c + j] *= f;
  }
  return x;
}

/** n×d_in Gaussian rows of norm √alpha0 (Thm 3.3, App. C.1; docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k (tests)). */
export function gaussianInput(g: Rng, n: number, dIn: number, alpha0: number): DenseMatrix<'f64'> {
  return normalizeRows(gaussianMatrix(g, n, dIn), alpha0);
}

/** X = G₁G₂ of rank ≤ rank, rows of norm √alpha0 (Prop. 4.1, App. C.2; docs/theory.md#5-proposition-41--exact-low-rank (tests)). */
export function lowRankInput(g: Rng, n: number, dIn: number, rank: number, alpha0: number): DenseMatrix<'f64'> {
  const a = g.fillNormal(new Float64Array(n * rank)), b = g.fillNormal(new Float64Array(rank * dIn));
  const x = DenseMatrix.zeros(n, dIn, 'f64');
  for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) for (let t = 0; t < dIn; t++) x.data[i * dIn + t] += a[i * rank + k] * b[k * dIn + t];
  return normalizeRows(x, alpha0);
}

/** A low-rank input plus noise of size ≤ noise per row (uniform radius, random direction): near-low-rank inputs. */
export function nearLowRankInput(g: Rng, n: number, dIn: number, rank: number, alpha0: number, noise: number): DenseMatrix<'f64'> {
  const x = lowRankInput(g, n, dIn, rank, alpha0);
  const e = normalizeRows(gaussianMatrix(g, n, dIn), 1);
  for (let i = 0; i < n; i++) {
    const r = noise * g.float();
    for (let t = 0; t < dIn; t++) x.data[i * dIn + t] += r * e.data[i * dIn + t];
  }
  e.free();
  return x;
}

export type PatternKind = 'sparse' | 'full' | 'expander';

/** Erdős–Rényi pattern (each ordered pair with probability p) plus every self loop. */
export function erPattern(g: Rng, n: number, p: number): CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && g.float() < p) { rows.push(i); cols.push(j); }
  return csrFromEdges(rows, cols, { numNodes: n, selfLoops: true });
}

/** 'sparse': ER(p) + self loops; 'full': all n² pairs; 'expander': ER(p) + self loops + a degree-4 expander. */
export function makePattern(g: Rng, kind: PatternKind, n: number, p: number): CsrGraph {
  if (kind === 'full') return fullPattern(n);
  const er = erPattern(g, n, p);
  if (kind === 'sparse') return er;
  const out = graphWithExpander(er, 4, { seed: g.int(2 ** 30) });
  er.free();
  return out;
}

export interface TheoryModelOptions {
  dIn: number;
  width: number;
  depth: number;
  /** Spectral norm of every map. */
  beta: number;
  /** When set, W_1 = E·B of this rank (Prop. 4.1, App. C.2; docs/theory.md#5-proposition-41--exact-low-rank (hypotheses)), so every rank(H^(ℓ+3/4)) ≤ w1Rank. */
  w1Rank?: number;
  /** Add the structure-preserving FFN bias b_1 (only with w1Rank) or a Gaussian one. */
  bias?: boolean;
  activation?: Activation;
  /** Width of Q/K when different from `width`. */
  queryKeyWidth?: number;
  /** The logits' scale s of every layer (default 1): s·(W_Qh)·(W_Kh), so β covers √s·W_Q, √s·W_K (docs/theory.md §17). */
  logitScale?: number;
}

/** A theory-variant model (Sec. 2; docs/theory.md#2-the-model-and-its-assumptions) with every map rescaled to spectral norm beta. */
export function theoryModel(g: Rng, o: TheoryModelOptions): GraphTransformer {
  const layers: LayerWeights[] = [];
  const dQK = o.queryKeyWidth ?? o.width;
  for (let l = 0; l < o.depth; l++) {
    const p = l === 0 ? o.dIn : o.width;
    let w1: DenseMatrix<'f64'>, b1: Float64Array | null = null;
    if (o.w1Rank !== undefined) ({ w1, b1 } = reluLowRankW1(g, o.width, o.width, o.w1Rank, o.beta, o.bias ?? false));
    else {
      w1 = weightWithNorm(g, o.width, o.width, o.beta);
      if (o.bias) b1 = g.fillNormal(new Float64Array(o.width), 0.1);
    }
    layers.push({
      wQ: weightWithNorm(g, dQK, p, o.beta), wK: weightWithNorm(g, dQK, p, o.beta), wV: weightWithNorm(g, o.width, p, o.beta),
      w1, b1, w2: weightWithNorm(g, o.width, o.width, o.beta),
      ...(o.logitScale !== undefined ? { logitScale: o.logitScale } : {}),
    });
  }
  const model = createModel({ layers, activation: o.activation ?? 'relu' });
  for (const l of layers) for (const m of [l.wQ, l.wK, l.wV, l.w1, l.w2]) m.free();
  return model;
}

/** A practical-variant model (App. D.2 / docs/theory.md#17-the-practical-variant): encoder, 1/√D logits, identity skips, folded BNs, head. */
export function practicalModel(g: Rng, o: { dIn: number; width: number; depth: number; beta: number; classes: number }): GraphTransformer {
  const D = o.width;
  const bn = () => foldBatchNorm({
    gamma: Array.from({ length: D }, () => 0.5 + g.float()), beta: Array.from({ length: D }, () => 0.1 * g.normal()),
    mean: Array.from({ length: D }, () => 0.1 * g.normal()), variance: Array.from({ length: D }, () => 0.5 + g.float()),
  });
  const layers: LayerWeights[] = [];
  for (let l = 0; l < o.depth; l++) {
    layers.push({
      wQ: weightWithNorm(g, D, D, o.beta), wK: weightWithNorm(g, D, D, o.beta), wV: weightWithNorm(g, D, D, o.beta),
      w1: weightWithNorm(g, D, D, o.beta), w2: weightWithNorm(g, D, D, o.beta),
      b1: g.fillNormal(new Float64Array(D), 0.1), b2: g.fillNormal(new Float64Array(D), 0.1),
      logitScale: 1 / Math.sqrt(D), attentionSkip: 'identity', attentionNorm: bn(), ffnSkip: 'identity', ffnNorm: bn(),
    });
  }
  return createModel({
    variant: 'practical', layers,
    encoder: { weight: weightWithNorm(g, D, o.dIn, 1), bias: g.fillNormal(new Float64Array(D), 0.1) },
    head: { weight: weightWithNorm(g, o.classes, D, 1), bias: g.fillNormal(new Float64Array(o.classes), 0.1) },
  });
}

/** A fresh rng from a fast-check integer seed. */
export function seeded(seed: number): Rng {
  return rng(seed);
}

// ---- plain-loop reference of Sec. 2 / App. D.2 (docs/theory.md §2, §17) ---------------------------------------

type Rows = Float64Array[];

function toRows(m: DenseMatrix): Rows {
  return Array.from({ length: m.rows }, (_, i) => Float64Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

function apply(rows: Rows, w: DenseMatrix<'f64'>, b?: Float64Array | null): Rows {
  const W = w.data, out = w.rows, inp = w.cols;
  return rows.map((h) => {
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) { let s = b ? b[o] : 0; for (let t = 0; t < inp; t++) s += W[o * inp + t] * h[t]; y[o] = s; }
    return y;
  });
}

function add(a: Rows, b: Rows): Rows {
  return a.map((r, i) => r.map((v, j) => v + b[i][j]));
}

export interface NaiveLayer {
  input: Rows; half: Rows; threeQuarter: Rows; output: Rows; logits: Float64Array; logWeights: Float64Array;
}

/** Sec. 2 (and App. D.2 for practical models; docs/theory.md §2, §17) with plain loops in f64: an independent check of forward(). */
export function naiveForward(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph): { output: Rows; layers: NaiveLayer[] } {
  const rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
  let h = toRows(x);
  if (model.encoder) h = apply(h, model.encoder.weight, model.encoder.bias);
  const layers: NaiveLayer[] = [];
  for (const l of model.layers) {
    const q = apply(h, l.wQ), k = apply(h, l.wK), v = apply(h, l.wV);
    const scale = l.logitScale ?? 1;
    const logits = new Float64Array(pattern.numEdges), logW = new Float64Array(pattern.numEdges);
    const att: Rows = h.map(() => new Float64Array(l.wV.rows));
    for (let i = 0; i < h.length; i++) {
      let mx = -Infinity;
      for (let e = rp[i]; e < rp[i + 1]; e++) {
        let s = 0;
        for (let t = 0; t < q[i].length; t++) s += q[i][t] * k[ci[e]][t];
        logits[e] = scale * s;
        mx = Math.max(mx, logits[e]);
      }
      let z = 0;
      for (let e = rp[i]; e < rp[i + 1]; e++) z += Math.exp(logits[e] - mx);
      for (let e = rp[i]; e < rp[i + 1]; e++) {
        logW[e] = logits[e] - mx - Math.log(z);
        const a = Math.exp(logW[e]);
        for (let t = 0; t < att[i].length; t++) att[i][t] += a * v[ci[e]][t];
      }
    }
    let half = att;
    if (l.attentionSkip) half = add(l.attentionSkip === 'identity' ? h : apply(h, l.attentionSkip), att);
    if (l.attentionNorm) half = apply(half, l.attentionNorm.weight, l.attentionNorm.bias);
    const tq = apply(half, l.w1, l.b1).map((r) => (model.activation === 'relu' ? r.map((t) => Math.max(t, 0)) : r));
    let out = apply(tq, l.w2, l.b2);
    if (l.ffnSkip) out = add(out, l.ffnSkip === 'identity' ? half : apply(half, l.ffnSkip));
    if (l.ffnNorm) out = apply(out, l.ffnNorm.weight, l.ffnNorm.bias);
    layers.push({ input: h, half, threeQuarter: tq, output: out, logits, logWeights: logW });
    h = out;
  }
  const output = model.head ? apply(h, model.head.weight, model.head.bias) : h;
  return { output, layers };
}

/** max_i ‖a_i − b_i‖ for a DenseMatrix against plain rows. */
export function maxRowDistanceTo(a: DenseMatrix, b: Rows): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += (a.data[i * a.cols + j] - b[i][j]) ** 2;
    worst = Math.max(worst, Math.sqrt(s));
  }
  return worst;
}

/** max_i ‖b_i‖ of plain rows. */
export function maxRowNorm(b: Rows | DenseMatrix): number {
  const rows = b instanceof DenseMatrix ? toRows(b) : b;
  return Math.max(0, ...rows.map((r) => Math.sqrt(r.reduce((s, t) => s + t * t, 0))));
}

/** max_i ‖a_i − b_i‖₂ over rows of two same-shape matrices, by plain loops (independent of the library). */
export function maxRowDistance(a: DenseMatrix, b: DenseMatrix): number {
  let w = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += (a.data[i * a.cols + j] - b.data[i * b.cols + j]) ** 2;
    w = Math.max(w, Math.sqrt(s));
  }
  return w;
}

/** max_i ‖a_i‖₂² over rows, by plain loops (the α of Sec. 2, (A1)-(A3); docs/theory.md#2-the-model-and-its-assumptions). */
export function maxRowSquaredNorm(a: DenseMatrix): number {
  let w = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] ** 2;
    w = Math.max(w, s);
  }
  return w;
}
