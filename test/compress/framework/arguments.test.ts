// Every public compress function checks its options before any work, with NarrowgtErrors whose message starts
// with the function's name and names the option (issue 13, item 2; src/compress/framework/arguments.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, rng, compressWithJl, compressExactLowRank, compressLowRank, compressByLeverage, compressByClusters,
  compressPractical, compressTrained, minimalWidth, NarrowgtError, wasmMemoryPages, type GraphTransformer,
} from '../../../src/index.js';
import { gaussianInput, makePattern, practicalModel, theoryModel } from '../../support/models.js';

await init();
const g = rng(7);
const theory = theoryModel(g, { dIn: 4, width: 6, depth: 2, beta: 1 });
const practical = practicalModel(g, { dIn: 4, width: 6, depth: 2, beta: 1, classes: 2 });
const x = gaussianInput(g, 10, 4, 1);
const pattern = makePattern(g, 'sparse', 10, 0.3);
const data = {
  features: x, graph: pattern, labels: new Int32Array(10).map((_, i) => i % 2), numClasses: 2, metric: 'roc_auc' as const,
  masks: { train: new Uint8Array(10).fill(1), val: new Uint8Array(10).fill(1), test: new Uint8Array(10).fill(1) },
};

type Call = (options: unknown) => unknown;
/** Each public function, the model it needs, and valid options the bad values are merged into. */
const FUNCTIONS: { fn: string; call: Call; valid: Record<string, unknown>; numbers: string[]; widths: string[]; flags: string[] }[] = [
  { fn: 'compressWithJl', call: (o) => compressWithJl(theory, x, pattern, o as never), valid: { d: 4 }, numbers: ['eps', 'delta', 'd', 'maxTries'], widths: ['eps', 'delta', 'd', 'maxTries'], flags: ['allowUncertified'] },
  { fn: 'compressExactLowRank', call: (o) => compressExactLowRank(theory, x, pattern, o as never), valid: { d: 4 }, numbers: ['d', 'tol', 'identityTol'], widths: ['d'], flags: ['foldInput'] },
  { fn: 'compressLowRank', call: (o) => compressLowRank(theory, x, pattern, o as never), valid: { d: 4 }, numbers: ['d', 'epsilon'], widths: ['d', 'epsilon'], flags: [] },
  { fn: 'compressByLeverage', call: (o) => compressByLeverage(theory, x, pattern, o as never), valid: { d: 4 }, numbers: ['d', 'delta0', 'delta1', 'fraction', 'samples', 'maxTries'], widths: ['d', 'samples', 'maxTries'], flags: [] },
  { fn: 'compressByClusters', call: (o) => compressByClusters(theory, x, pattern, o as never), valid: { d: 4 }, numbers: ['d', 'maxClusters'], widths: ['d', 'maxClusters'], flags: [] },
  { fn: 'compressPractical', call: (o) => compressPractical(practical, x, pattern, o as never), valid: { d: 6 }, numbers: ['d'], widths: ['d'], flags: [] },
  { fn: 'compressTrained', call: (o) => compressTrained(practical, data as never, o as never), valid: { d: 6 }, numbers: ['d'], widths: ['d'], flags: [] },
  { fn: 'minimalWidth', call: (o) => minimalWidth(theory, x, pattern, o as never), valid: { tolerance: 1, method: 'lowRank' }, numbers: ['tolerance', 'logRatioTolerance', 'dMin', 'dMax'], widths: ['tolerance', 'logRatioTolerance', 'dMin', 'dMax'], flags: ['requireHolds', 'relative'] },
];

/** Asserts a NarrowgtError whose message starts with `${fn}: ` and mentions `mention`; returns the message. */
function rejects(fn: string, call: () => unknown, mention: string, what: string): string {
  let caught: unknown = null;
  const before = wasmMemoryPages();
  try { call(); } catch (e) { caught = e; }
  assert.ok(caught instanceof NarrowgtError, `${fn} ${what}: expected a NarrowgtError, got ${caught === null ? 'no error' : String(caught)}`);
  const msg = (caught as Error).message;
  assert.ok(msg.startsWith(`${fn}: `), `${fn} ${what}: the message names the function: ${msg}`);
  assert.ok(msg.includes(mention), `${fn} ${what}: the message names ${mention}: ${msg}`);
  assert.equal(wasmMemoryPages(), before, `${fn} ${what}: nothing allocated before the check`);
  return msg;
}

test('options = null, an array or a number: InputError naming the function and options', () => {
  for (const { fn, call } of FUNCTIONS) {
    for (const bad of [null, [], 3]) rejects(fn, () => call(bad), 'options', `options = ${JSON.stringify(bad)}`);
  }
});

test('a number option given as a string, as NaN, or negative: ArgumentTypeError / ArgumentRangeError naming the option', () => {
  for (const { fn, call, valid, numbers, widths } of FUNCTIONS) {
    for (const name of numbers) {
      const msg = rejects(fn, () => call({ ...valid, [name]: '0.5' }), `options.${name}`, `${name} = '0.5'`);
      assert.match(msg, /"0\.5"/, `${fn}: the string is shown quoted`);
      rejects(fn, () => call({ ...valid, [name]: NaN }), `options.${name}`, `${name} = NaN`);
    }
    for (const name of widths) {
      let caught: unknown = null;
      try { call({ ...valid, [name]: -3 }); } catch (e) { caught = e; }
      assert.ok(caught instanceof RangeError && caught instanceof NarrowgtError, `${fn}: ${name} = -3 is a RangeError and a NarrowgtError, got ${String(caught)}`);
      assert.ok((caught as Error).message.startsWith(`${fn}: options.${name}`), (caught as Error).message);
    }
  }
});

test('non-boolean flags and bad tolerances are rejected', () => {
  for (const { fn, call, valid, flags } of FUNCTIONS) {
    for (const name of flags) {
      let caught: unknown = null;
      try { call({ ...valid, [name]: 'false' }); } catch (e) { caught = e; }
      assert.ok(caught instanceof TypeError && caught instanceof NarrowgtError, `${fn}: ${name} = 'false' is a TypeError and a NarrowgtError`);
      assert.match((caught as Error).message, new RegExp(`^${fn}: options\\.${name} must be true or false`));
    }
    if (fn === 'minimalWidth') continue; // its constructions' tolerances go in options.constructionOptions
    rejects(fn, () => call({ ...valid, tolerances: null }), 'options.tolerances', 'tolerances = null');
    rejects(fn, () => call({ ...valid, tolerances: { rtol: '1e-9' } }), 'options.tolerances.rtol', "rtol = '1e-9'");
  }
});

test('the valid options of the table do build (the rejections above are about the bad value alone)', () => {
  const built = compressLowRank(theory, x, pattern, { d: 4 });
  assert.equal(built.narrow.depth, theory.depth);
  const models: GraphTransformer[] = [built.narrow, compressWithJl(theory, x, pattern, { d: 4 }).narrow];
  for (const m of models) m.free();
});
