// The one forward: the training pass (parameters, cache for the backward) and the inference forward of a
// GraphTransformer are the same computation, bit for bit, and a batch norm's two statistics modes agree where
// they must (src/model/forward.ts, src/model/parameters.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, rng, scope, DenseMatrix } from '../../src/index.js';
import { modelParameters, networkForward, parametersToModel, structureOf } from '../../src/model/parameters.js';
import { compressPractical } from '../../src/compress/practical/practical.js';
import { withBackend } from '../support/backends.js';
import { erPattern, gaussianInput, practicalModel } from '../support/models.js';

await init();

for (const which of ['wasm-simd', 'js'] as const) {
  test(`the training forward (cache kept) of a model's parameters gives the inference forward's bits, f32 and f64, ${which}`, async () => {
    await withBackend(which, () => scope(() => {
      const g = rng(31);
      const wide = practicalModel(g, { dIn: 5, width: 8, depth: 2, beta: 1.5, classes: 3 });
      const x = gaussianInput(g, 40, 5, 1), pattern = erPattern(g, 40, 0.2);
      const narrow = compressPractical(wide, x, pattern, { d: 4, hidden: 'select' }).narrow; // matrix skips, affine norms
      for (const model of [wide, narrow]) {
        for (const dtype of ['f32', 'f64'] as const) {
          const xd = x.clone(dtype);
          const inference = model.forward(xd, pattern, { dtype }).output;
          const { logits, cache } = networkForward(structureOf(model), modelParameters(model, dtype), xd, pattern);
          assert.equal(cache.layers.length, model.depth);
          assert.deepEqual(Array.from(logits.data), Array.from(inference.data), `${dtype}, widths ${model.widths.join('→')}`);
        }
        // And back: parameters → model keeps every weight bit.
        const again = parametersToModel(structureOf(model), modelParameters(model, 'f64'));
        const a = model.forward(x, pattern).output, b = again.forward(x, pattern).output;
        assert.deepEqual(Array.from(b.data), Array.from(a.data));
        again.free();
      }
    }));
  });
}

test('the training forward leaves its input untouched, with and without dropout', () => {
  scope(() => {
    const g = rng(32);
    const model = practicalModel(g, { dIn: 4, width: 6, depth: 2, beta: 1, classes: 2 });
    const x = gaussianInput(g, 30, 4, 1), pattern = erPattern(g, 30, 0.2);
    const before = Float64Array.from(x.data);
    const params = modelParameters(model, 'f64');
    networkForward(structureOf(model), params, x as DenseMatrix<'f64'>, pattern, { dropout: 0.5, random: rng(1) });
    networkForward(structureOf(model), params, x as DenseMatrix<'f64'>, pattern);
    assert.deepEqual(Array.from(x.data), Array.from(before));
  });
});
