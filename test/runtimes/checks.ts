// The cross-runtime checks: the same smoke and correctness checks in Node 20, Deno, Bun, workerd and
// Chromium (page and Web Worker). This module imports nothing at run time — each runtime's adapter
// loads the library its own way and passes it in — so it loads unbundled in a browser too.
//
// Two kinds of check:
//   agrees(name, compute, tolerance): `compute(lib)` returns numbers; they must match the numbers Node
//     computed from the same seeds in the same test run (dist/test/runtimes/expected.js, written by
//     reference.ts), elementwise |x − x_node| ≤ atol + rtol·|x_node|.
//   fact(name, verify): `verify(lib)` throws unless a property holds in this runtime on its own.
// Node computes its numbers twice: with the plain SIMD build (keys `name`) and with the relaxed-SIMD build under
// --experimental-wasm-relaxed-simd (keys `relaxed:name`). A runtime that loaded the relaxed build (Deno, Bun, Chromium:
// relaxed SIMD is on there) is compared with Node's relaxed numbers, and where it misses them with the plain ones:
// relaxed_madd may be fused or not (assembly/fma.ts), and an engine that does not fuse computes the plain build's
// sums. An f32 result one rounding apart shows up 10⁵× magnified in the f64 factorisations of it (their tolerance is
// 1e-12), so which set of Node's numbers a runtime matched is reported (`matched`).
// Adding a public function to the suite is one line: an `agrees(...)` entry in CHECKS.
import type * as Narrowgt from '../../src/index.js';

/** The library as each runtime's adapter loaded it (source build, browser bundle or a worker bundle). */
export type Lib = typeof Narrowgt;

/** |x − x_node| ≤ atol + rtol·|x_node| elementwise; rtol = atol = 0 demands bit-identical numbers. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Integers and uniforms from the seeded generator: bit-identical in every runtime. */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };
/** f32 kernel outputs: WASM arithmetic is IEEE-exact, so only a different libm could move them. */
export const F32_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-6 };
/** f64 results, including anything drawn through Math.log / Math.exp of the host engine (≤ 1 ULP apart). */
export const F64_TOLERANCE: Tolerance = { rtol: 1e-12, atol: 1e-13 };

export interface Check {
  readonly name: string;
  /** Present for checks compared with Node's numbers. */
  readonly compute?: (lib: Lib) => ArrayLike<number> | Promise<ArrayLike<number>>;
  readonly tolerance?: Tolerance;
  /** Present for checks that hold on their own. */
  readonly verify?: (lib: Lib) => void | Promise<void>;
}

/** What one check found in one runtime. */
export interface CheckOutcome {
  name: string;
  ok: boolean;
  /** For `agrees` checks: max |x − x_node| / (atol + rtol·|x_node|); ≤ 1 passes, 0 means bit-identical. */
  worst?: number;
  /** Why it failed. */
  message?: string;
  /** For `agrees` checks: which of Node's builds the numbers matched ('plain' or 'relaxed'). */
  matched?: string;
}

/** Node's numbers for every `agrees` check, keyed by check name. */
export type Expected = Record<string, number[]>;

function agrees(name: string, compute: NonNullable<Check['compute']>, tolerance: Tolerance): Check {
  return { name, compute, tolerance };
}

function fact(name: string, verify: NonNullable<Check['verify']>): Check {
  return { name, verify };
}

class CheckFailure extends Error {}

function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

function expectThrows(lib: Lib, what: string, run: () => unknown, errorName: 'ShapeError' | 'IndexError' | 'InputError',
  messageStart: string): void {
  try {
    run();
  } catch (e) {
    ensure(e instanceof lib[errorName], `${what}: threw ${String(e)}, expected ${errorName}`);
    ensure(e instanceof lib.NarrowgtError, `${what}: ${errorName} is not a NarrowgtError`);
    // A minifier that renames classes would break `error.name`; the browser bundle keeps names.
    ensure(e.name === errorName, `${what}: error.name is '${e.name}', expected '${errorName}'`);
    ensure(e.message.startsWith(messageStart), `${what}: message '${e.message}' does not start with '${messageStart}'`);
    return;
  }
  throw new CheckFailure(`${what}: did not throw`);
}

/** Rows×cols f32 matrix of N(0, 1) entries from `seed` (the generator is the library's own). */
function gaussianF32(lib: Lib, seed: number, rows: number, cols: number): Narrowgt.DenseMatrix<'f32'> {
  const values = lib.rng(seed).fillNormal(new Float32Array(rows * cols));
  return lib.DenseMatrix.from(values, rows, cols, 'f32');
}

/** A 24-node ring with chords every 5 nodes, plus a degree-4 expander: Exphormer's pattern, small. */
function smallPattern(lib: Lib): Narrowgt.CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < 24; i++) {
    rows.push(i); cols.push((i + 1) % 24);
    if (i % 5 === 0) { rows.push(i); cols.push((i + 7) % 24); }
  }
  const graph = lib.csrFromEdges(rows, cols, { numNodes: 24, symmetrize: true, selfLoops: true });
  return lib.graphWithExpander(graph, 4, { seed: 7 });
}

/** One attention layer with 1/√d scaling on the small pattern: the 24×5 output and every weight. */
function attention(lib: Lib): Narrowgt.SparseAttentionResult {
  const pattern = smallPattern(lib);
  const d = 8;
  const q = gaussianF32(lib, 11, 24, d), k = gaussianF32(lib, 12, 24, d), v = gaussianF32(lib, 13, 24, 5);
  return lib.sparseAttention(q, k, v, pattern, { scale: 1 / Math.sqrt(d), returnWeights: true });
}

/** The attention layer's output rows, then its weights, as one array. */
function attentionLayer(lib: Lib): Float32Array {
  const { output, weights } = attention(lib);
  const out = new Float32Array(output.data.length + weights!.length);
  out.set(output.data);
  out.set(weights!.array, output.data.length);
  return out;
}

/** The attention layer's 24×5 output in f64, the input of the factorisation checks. */
function attentionOutputF64(lib: Lib): Narrowgt.DenseMatrix<'f64'> {
  return lib.DenseMatrix.from(Float64Array.from(attention(lib).output.data), 24, 5, 'f64');
}

export const CHECKS: readonly Check[] = [
  fact("backend() is 'wasm-simd' after this runtime's init", (lib) => {
    ensure(lib.backend() === 'wasm-simd', `backend() is '${lib.backend()}'`);
  }),
  fact("kernelBuild() is 'relaxed' only where relaxed SIMD validates, and then the embedded relaxed build validates too", (lib) => {
    const build = lib.kernelBuild(), supported = lib.relaxedSimdSupported();
    ensure(build === 'relaxed' || build === 'plain', `kernelBuild() is ${String(build)}`);
    ensure(build === 'plain' || supported, "kernelBuild() is 'relaxed' where relaxedSimdSupported() is false");
    let embedded: Uint8Array | null = null;
    try { embedded = lib.embeddedWasmBytes('relaxed'); } catch { /* narrowgt/slim: no embedded builds */ }
    if (embedded) ensure(WebAssembly.validate(embedded as BufferSource) === supported, `WebAssembly.validate(kernels-relaxed.wasm) is not relaxedSimdSupported() (${supported})`);
  }),
  agrees('rng(2024): 16 uint32 draws and 8 uniforms', (lib) => {
    const r = lib.rng(2024);
    return [...Array.from({ length: 16 }, () => r.nextUint32()), ...Array.from({ length: 8 }, () => r.float())];
  }, EXACT),
  agrees('rng(2024).fillNormal: 32 normals (Marsaglia polar, host Math.log)', (lib) =>
    lib.rng(2024).fillNormal(new Float64Array(32)), F64_TOLERANCE),
  agrees('matmul f32 17×9 · 9×6 (f32x4 GEMM)', (lib) =>
    lib.matmul(gaussianF32(lib, 1, 17, 9), gaussianF32(lib, 2, 9, 6)).data, F32_TOLERANCE),
  agrees('matmul f64 7×11 · (5×11)ᵀ (f64x2 GEMM)', (lib) => {
    const a = lib.DenseMatrix.from(lib.rng(3).fillNormal(new Float64Array(77)), 7, 11, 'f64');
    const b = lib.DenseMatrix.from(lib.rng(4).fillNormal(new Float64Array(55)), 5, 11, 'f64');
    return lib.matmul(a, b, { transB: true }).data;
  }, F64_TOLERANCE),
  agrees('sparseAttention: one layer (1/√d) on a 24-node graph + degree-4 expander, outputs and weights',
    attentionLayer, F32_TOLERANCE),
  fact('sparseAttention: the WASM kernel and its TS twin agree in this runtime', (lib) => {
    const simd = attentionLayer(lib);
    lib.setBackend('js');
    let twin: Float32Array;
    try {
      twin = attentionLayer(lib);
    } finally {
      lib.setBackend('wasm-simd');
    }
    for (let i = 0; i < simd.length; i++) {
      const bound = F32_TOLERANCE.atol + F32_TOLERANCE.rtol * Math.abs(twin[i]);
      ensure(Math.abs(simd[i] - twin[i]) <= bound, `entry ${i}: wasm ${simd[i]} vs twin ${twin[i]}`);
    }
  }),
  agrees('qr of the attention output (24×5, f64): R (blocked Householder)', (lib) =>
    lib.qr(attentionOutputF64(lib)).upperTriangularMatrix.data, F64_TOLERANCE),
  agrees('randomizedSvd of the attention output (k = 3, seed 5): singular values, then U', (lib) => {
    const { s, u } = lib.randomizedSvd(attentionOutputF64(lib), 3, { seed: 5 });
    return [...s, ...u.data];
  }, F64_TOLERANCE),
  agrees('SHA-256 digests (certificate inputs) of the small pattern and a 24×5 f64 matrix, as bytes', (lib) => {
    // values from integer arithmetic and one division (IEEE-exact everywhere), not from host Math.log
    const x = lib.DenseMatrix.from(Float64Array.from({ length: 120 }, (_, i) => ((i * 7919) % 101) / 13 - 3.5), 24, 5, 'f64');
    const hex = lib.digestPattern(smallPattern(lib)) + lib.digestFeatures(x);
    return Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  }, EXACT),
  fact('bad input throws the typed error, message naming the function', async (lib) => {
    const pattern = smallPattern(lib);
    const q = gaussianF32(lib, 1, 23, 4), kv = gaussianF32(lib, 2, 24, 4);
    expectThrows(lib, 'sparseAttention with 23 query rows', () => lib.sparseAttention(q, kv, kv, pattern), 'ShapeError', 'sparseAttention:');
    expectThrows(lib, 'csrFromEdges with node 9 of 4', () => lib.csrFromEdges([0], [9], { numNodes: 4 }), 'IndexError', 'csrFromEdges:');
    expectThrows(lib, 'DenseMatrix.from with 5 values for 2×3', () => lib.DenseMatrix.from([1, 2, 3, 4, 5], 2, 3), 'ShapeError', 'DenseMatrix.from:');
    let rejected: unknown;
    await lib.init('kernels.wasm' as never).catch((e: unknown) => { rejected = e; });
    ensure(rejected instanceof lib.InputError, `init('kernels.wasm') rejected with ${String(rejected)}, expected InputError`);
  }),
];

/** Max |a_i − b_i| / (atol + rtol·|b_i|); 0 when bit-identical, Infinity on NaN. */
function worstDeviation(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (diff === 0) continue;
    const r = diff / (tol.atol + tol.rtol * Math.abs(expected[i]));
    worst = Number.isNaN(r) ? Infinity : Math.max(worst, r);
  }
  return worst;
}

/** Runs one check; never throws (a failure is an outcome with ok: false and a message). */
export async function runCheck(check: Check, lib: Lib, expected: Expected): Promise<CheckOutcome> {
  const name = check.name;
  try {
    if (check.verify) {
      await check.verify(lib);
      return { name, ok: true };
    }
    const want = expected[name];
    if (!want) return { name, ok: false, message: 'Node computed no reference values for this check' };
    const got = Array.from(await check.compute!(lib));
    if (got.length !== want.length) return { name, ok: false, message: `${got.length} values, Node has ${want.length}` };
    const fused = expected[`relaxed:${name}`];
    if (lib.kernelBuild() === 'relaxed' && fused) {
      const worstFused = worstDeviation(got, fused, check.tolerance!);
      if (worstFused <= 1) return { name, ok: true, worst: worstFused, matched: 'relaxed' };
    }
    const worst = worstDeviation(got, want, check.tolerance!);
    return worst <= 1 ? { name, ok: true, worst, matched: 'plain' } : { name, ok: false, worst, message: `deviates from Node by ${worst} × tolerance` };
  } catch (e) {
    return { name, ok: false, message: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) };
  }
}

/** Runs every check in order. */
export async function runChecks(lib: Lib, expected: Expected): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of CHECKS) outcomes.push(await runCheck(check, lib, expected));
  return outcomes;
}

/**
 * Node's numbers for every `agrees` check (reference.ts writes them where the runtimes import them), keyed by the
 * check's name, prefixed with `prefix` (reference.ts: 'relaxed:' for the relaxed-SIMD build's numbers).
 */
export async function computeExpected(lib: Lib, prefix = ''): Promise<Expected> {
  const expected: Expected = {};
  for (const check of CHECKS) if (check.compute) expected[prefix + check.name] = Array.from(await check.compute(lib));
  return expected;
}

/** The line a runtime prints per outcome; scripts/runtimes/run.mjs counts these. */
export function outcomeLine(runtime: string, outcome: CheckOutcome): string {
  return `narrowgt-check ${JSON.stringify({ runtime, ...outcome })}`;
}
