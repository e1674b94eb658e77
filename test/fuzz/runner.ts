// Runs one fuzz input (test/fuzz/corpus.ts) and classifies what happened: a valid result (checked: finite
// output from finite input), a typed error (NarrowgtError or the CLI's CliError), any other exception, or a
// silent non-finite output. The caller measures time (a hang is an input over the time limit).
import {
  DenseMatrix, NarrowgtError, readNpy, readNpz, loadGraph, readSafetensors, modelFromSafetensors, csrFromEdges, rng,
  matmul, randomizedSvd, randomizedRangeFinder, kmeans, selectRows, jlMatrix, jlTransform, jlMinDim, operatorNorm, rowNorms,
  columnNorms, leverageScores, leverageSample, pivotedQr, expanderPattern, graphWithExpander, sparseAttention, randomSplit, svd,
  scope, type Rng, type CsrGraph,
} from '../../src/index.js';
import { CliError } from '../../src/cli/cli-error.js';
import { bytesCase, pick, POOL, type Target } from './corpus.js';

export type Kind = 'ok' | 'typed' | 'other' | 'nonfinite';
export interface Outcome { kind: Kind; detail?: string; /** the sub-target a non-finite output came from */ where?: string }

class NonFinite extends Error {}
const finiteArray = (where: string, a: ArrayLike<number> | ArrayLike<bigint>): void => {
  for (let i = 0; i < a.length; i++) if (typeof a[i] === 'number' && !Number.isFinite(a[i] as number)) throw new NonFinite(`${where}[${i}] = ${a[i]}`);
};
const finiteMatrix = (where: string, m: DenseMatrix): void => finiteArray(where, m.data);

function classify(fn: () => void): Outcome {
  try {
    fn();
    return { kind: 'ok' };
  } catch (e) {
    if (e instanceof NonFinite) return { kind: 'nonfinite', detail: e.message };
    if (e instanceof NarrowgtError || e instanceof CliError) return { kind: 'typed' };
    return { kind: 'other', detail: `${(e as Error)?.name}: ${String((e as Error)?.message ?? e).slice(0, 200)}` };
  }
}

/** A tiny graph and features to run an accepted model on (8 nodes, a ring with self loops). */
let probe: { graph: CsrGraph } | null = null;
function probeGraph(): CsrGraph {
  probe ??= { graph: csrFromEdges([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 0], { symmetrize: true, selfLoops: true }) };
  return probe.graph;
}

function runBytes(target: Exclude<Target, 'options'>, bytes: Uint8Array, g: Rng): Outcome {
  return classify(() => {
    switch (target) {
      case 'npy': { const a = readNpy(bytes); if (a.data.length !== a.shape.reduce((s, d) => s * d, 1)) throw new Error('readNpy: data length does not match shape'); break; }
      case 'npz-small': case 'npz-shipped': {
        if (target === 'npz-small' || g.float() < 0.25) {
          const graph = loadGraph(bytes);
          try { finiteMatrix('loadGraph features', graph.features); } finally { graph.free(); }
        } else {
          readNpz(bytes, { members: [pick(g, ['node_labels', 'edges', 'train_masks', 'node_features'])] });
        }
        break;
      }
      case 'safetensors': {
        readSafetensors(bytes);
        const { model } = modelFromSafetensors(bytes);
        try {
          const x = DenseMatrix.from(rng(1).fillNormal(new Float32Array(8 * model.inputDim)), 8, model.inputDim, 'f32');
          try {
            const y = model.forward(x, probeGraph(), { dtype: 'f32' }).output;
            try { finiteMatrix('model.forward (src/model: lead-pending)', y); } finally { y.free(); }
          } finally { x.free(); }
        } finally { model.free(); }
        break;
      }
    }
  });
}

// --- public functions with hostile options ------------------------------------------------------------------

function matrixFor(g: Rng, dtype: 'f32' | 'f64' = 'f64'): DenseMatrix {
  const rows = pick(g, [1, 2, 6, 12]), cols = pick(g, [1, 2, 4, 6]);
  const scale = pick(g, [1, 1, 1, 1e300, 1e-310, 1e150, 1e-150, 3e38]);
  const data = rng(g.int(1000)).fillNormal(new Float64Array(rows * cols)).map((x) => x * scale);
  if (g.float() < 0.03) data[g.int(data.length)] = pick(g, [NaN, Infinity]);
  const m = DenseMatrix.from(data, rows, cols, dtype);
  if (g.float() < 0.02) m.free();
  return m;
}

const opt = (g: Rng, keys: string[], extra: Record<string, unknown[]> = {}): unknown => {
  if (g.float() < 0.05) return pick(g, [null, 1, 'x', []]);
  const o: Record<string, unknown> = {};
  for (const k of keys) if (g.float() < 0.4) o[k] = g.float() < 0.5 && extra[k] ? pick(g, extra[k]) : pick(g, POOL);
  return o;
};
const num = (g: Rng, good: unknown[]): unknown => (g.float() < 0.7 ? pick(g, good) : pick(g, POOL));

type Call = (g: Rng) => void;
const CALLS: Record<string, Call> = {
  matmul: (g) => {
    const a = matrixFor(g), b = matrixFor(g), o = opt(g, ['transA', 'transB', 'checkFinite'], { transA: [true, false], transB: [true, false] }) as { checkFinite?: unknown };
    const c = matmul(a, b, o as never);
    if (o?.checkFinite !== false) finiteMatrix('matmul', c); // checkFinite: false is the caller opting out of the scans
  },
  svd: (g) => { const r = svd(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['maxSweeps']) as never); finiteArray('svd', r.s); finiteMatrix('svd u', r.u); },
  randomizedSvd: (g) => { const r = randomizedSvd(matrixFor(g) as DenseMatrix<'f64'>, num(g, [1, 2]) as number, opt(g, ['oversamples', 'powerIters', 'seed', 'normalizer'], { normalizer: ['qr', 'lu', 'none'], powerIters: [0, 1, 'auto'] }) as never); finiteArray('randomizedSvd s', r.s); finiteMatrix('randomizedSvd u', r.u); },
  randomizedRangeFinder: (g) => finiteMatrix('randomizedRangeFinder', randomizedRangeFinder(matrixFor(g) as DenseMatrix<'f64'>, num(g, [1, 2]) as number, opt(g, ['powerIters', 'seed', 'normalizer']) as never)),
  kmeans: (g) => { const r = kmeans(matrixFor(g) as DenseMatrix<'f64'>, num(g, [1, 2]) as number, opt(g, ['seed', 'restarts', 'maxIterations', 'tol'], { restarts: [1, 2], maxIterations: [5, 50] }) as never); finiteMatrix('kmeans centers', r.centers); if (!Number.isFinite(r.inertia)) throw new NonFinite(`kmeans inertia ${r.inertia}`); },
  selectRows: (g) => { selectRows(matrixFor(g) as DenseMatrix<'f64'>, num(g, [1, 2]) as number, opt(g, ['tol']) as never); },
  jlMatrix: (g) => finiteMatrix('jlMatrix', jlMatrix(num(g, [1, 2, 4]) as number, num(g, [4, 8]) as number, opt(g, ['kind', 'seed', 'density'], { kind: ['gaussian', 'sparse-sign', 'srht'], density: ['auto', 0.5] }) as never)),
  jlTransform: (g) => finiteMatrix('jlTransform', jlTransform(matrixFor(g) as DenseMatrix<'f64'>, num(g, [1, 2]) as number, opt(g, ['kind', 'seed', 'vectors'], { kind: ['gaussian', 'sparse-sign', 'srht'], vectors: ['rows', 'columns'] }) as never)),
  jlMinDim: (g) => { const d = jlMinDim(num(g, [2, 10, 1000]) as number, num(g, [0.1, 0.5]) as number, num(g, [0.01, 0.5]) as number, opt(g, ['count'], { count: ['pairs', 'vectors', 'points'] }) as never); if (!Number.isSafeInteger(d) || d < 1) throw new NonFinite(`jlMinDim = ${d}`); },
  operatorNorm: (g) => { const v = operatorNorm(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['tol', 'maxIterations', 'seed'], { maxIterations: [100, 1000] }) as never); if (!Number.isFinite(v)) throw new NonFinite(`operatorNorm = ${v}`); },
  rowNorms: (g) => finiteArray('rowNorms', rowNorms(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['squared'], { squared: [true, false] }) as never)),
  columnNorms: (g) => finiteArray('columnNorms', columnNorms(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['squared']) as never)),
  leverageScores: (g) => finiteArray('leverageScores', leverageScores(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['method', 'rtol', 'eps', 'delta', 'seed', 'sketchRows', 'jlDim'], { method: ['exact', 'approximate'] }) as never)),
  leverageSample: (g) => finiteArray('leverageSample weights', leverageSample(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['samples', 'delta', 'seed'], { samples: [1, 10, 100] }) as never).weights),
  pivotedQr: (g) => { const f = pivotedQr(matrixFor(g) as DenseMatrix<'f64'>, opt(g, ['tol']) as never); finiteMatrix('pivotedQr R', f.upperTriangularMatrix); },
  csrFromEdges: (g) => { const n = pick(g, [0, 1, 3, 5]); const e = Array.from({ length: g.int(6) }, () => num(g, [0, 1, 2]) as number); csrFromEdges(e, e.map((x) => (typeof x === 'number' ? (x + 1) % Math.max(n, 1) : x)), opt(g, ['numNodes', 'numCols', 'symmetrize', 'selfLoops', 'dedupe'], { numNodes: [3, 5], symmetrize: [true, false] }) as never).free(); },
  expanderPattern: (g) => expanderPattern(num(g, [4, 10]) as number, num(g, [2, 4]) as number, opt(g, ['seed']) as never).free(),
  graphWithExpander: (g) => graphWithExpander(probeGraph(), num(g, [2, 4]) as number, opt(g, ['seed']) as never).free(),
  sparseAttention: (g) => {
    const dtype = pick(g, ['f32', 'f64'] as const);
    const q = DenseMatrix.from(rng(g.int(100)).fillNormal(new Float64Array(32)).map((x) => x * pick(g, [1, 1, 1e10, 1e20, 1e-30])), 8, 4, dtype);
    const o = opt(g, ['scale', 'returnWeights', 'checkFinite'], { scale: [1, 0.5, 1e30, 1e300, -3], returnWeights: [true, false] }) as Record<string, unknown> | null;
    const r = sparseAttention(q, q, q, probeGraph(), o as never);
    finiteMatrix('sparseAttention', r.output);
    if (o && typeof o === 'object' && o.checkFinite === false) return; // the caller opted out of the scans
    if (r.weights) finiteArray('sparseAttention weights', r.weights.array);
  },
  randomSplit: (g) => { randomSplit(num(g, [0, 5, 100]) as number, opt(g, ['train', 'val', 'seed'], { train: [0.5, 0.6], val: [0.2, 0.5] }) as never); },
  readNpy: (g) => { readNpy(pick(g, [new Uint8Array(0), 'x', null, new Uint8Array(10)]) as never, opt(g, ['name']) as never); },
  denseZeros: (g) => { DenseMatrix.zeros(num(g, [1, 3, 65536]) as number, num(g, [1, 3, 16384, 65536]) as number, pick(g, ['f32', 'f64', 'i32', undefined]) as never).free(); },
};
export const CALL_NAMES = Object.keys(CALLS);

/** Runs input `index` of `target` (seeded by `seed`). */
export function runCase(target: Target, index: number, seed: number): Outcome & { where: string } {
  const g = rng(seed * 7_919 + index);
  if (target === 'options') {
    const name = CALL_NAMES[index % CALL_NAMES.length];
    // scope() frees what the call and its inputs allocated: the harness must not be the leak it measures
    return { ...classify(() => scope(() => { CALLS[name](g); })), where: name };
  }
  return { ...runBytes(target, bytesCase(target, index, seed), g), where: target };
}
