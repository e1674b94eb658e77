import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix as MlMatrix, SVD } from 'ml-matrix';
import { init, modelNorms, scope, rng, type DenseMatrix } from '../../src/index.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { gaussianInput, makePattern, naiveForward, practicalModel, theoryModel } from '../support/models.js';

announceSeed('test/model/norms.test.ts');
await init();

/** σ_max by ml-matrix's SVD: an oracle independent of the library's Lanczos. */
function sigmaMax(m: DenseMatrix<'f64'>): number {
  return new SVD(m.toMl(MlMatrix), { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal[0];
}

test('modelNorms (Table 1): per-layer σ_max of W_Q, W_K, W_V, W_1, W_2 (SVD oracle, 1e-12), mean and max input norms (plain-loop forward), averages over layers, α = max², β = max σ', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0.5, 1, 2.8), fc.boolean(),
    (seed, depth, beta, practical) => scope(() => {
      const g = rng(seed);
      const model = practical ? practicalModel(g, { dIn: 6, width: 20, depth, beta, classes: 2 }) : theoryModel(g, { dIn: 6, width: 20, depth, beta });
      const x = gaussianInput(g, 25, 6, 3.7 ** 2);
      const pattern = makePattern(g, 'sparse', 25, 0.2);
      const norms = modelNorms(model, x, pattern);
      const ref = naiveForward(model, x, pattern);
      const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
      let sumOp = 0, sumMean = 0, maxIn = 0, maxOp = 0;
      model.layers.forEach((l, i) => {
        const ops = [l.wQ, l.wK, l.wV, l.w1, l.w2].map(sigmaMax);
        const got = norms.layers[i].operatorNorms;
        [got.wQ, got.wK, got.wV, got.w1, got.w2].forEach((v, k) => close(v, ops[k], `layer ${i} map ${k}`));
        const avg = ops.reduce((a, b) => a + b) / 5;
        close(norms.layers[i].averageOperatorNorm, avg, `layer ${i} average`);
        const rowNorms = ref.layers[i].input.map((r) => Math.sqrt(r.reduce((s, t) => s + t * t, 0)));
        const mean = rowNorms.reduce((a, b) => a + b) / rowNorms.length, max = Math.max(...rowNorms);
        close(norms.layers[i].meanInputNorm, mean, `layer ${i} mean input norm`);
        close(norms.layers[i].maxInputNorm, max, `layer ${i} max input norm`);
        sumOp += avg; sumMean += mean; maxIn = Math.max(maxIn, max); maxOp = Math.max(maxOp, ...ops);
      });
      close(norms.averageOperatorNorm, sumOp / depth, 'average operator norm');
      close(norms.averageInputNorm, sumMean / depth, 'average input norm');
      close(norms.maxInputNorm, maxIn, 'max input norm');
      close(norms.alpha, maxIn ** 2, 'α');
      close(norms.beta, maxOp, 'β');
      if (!practical) close(maxOp, beta, 'generator scaled every map to β');
    })), fcParams(15));
});
