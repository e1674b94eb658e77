import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, scope } from '../../src/index.js';
import { initParameters, type NetworkConfig } from '../../src/train/parameters.js';
import { predictLogits } from '../../src/train/train.js';
import { toGraphTransformer } from '../../src/train/to-graph-transformer.js';
import { tinyProblem } from './fixtures.js';

await init();

test('the converted GraphTransformer (practical variant, BN folded) reproduces the training network\'s f64 logits within 1e-10', () => {
  scope(() => {
    const data = tinyProblem(21, 25, 4, 3, 'f64');
    const config: NetworkConfig = { inputDim: 4, width: 6, layers: 3, numClasses: 3 };
    const params = initParameters(config, 9, 'f64');
    for (const [name, m] of params) if (name.includes('bn')) { const d = m.data; for (let i = 0; i < d.length; i++) d[i] += 0.2 * Math.cos(3 * i + name.length); }
    const mine = predictLogits(params, config, data.features, data.graph);
    const model = toGraphTransformer(params, config, data.features, data.graph);
    const theirs = model.forward(data.features, data.graph, { dtype: 'f64' }).output;
    assert.equal(theirs.rows, mine.rows); assert.equal(theirs.cols, mine.cols);
    let worst = 0, scale = 0;
    for (let i = 0; i < mine.data.length; i++) { worst = Math.max(worst, Math.abs(mine.data[i] - theirs.data[i])); scale = Math.max(scale, Math.abs(mine.data[i])); }
    assert.ok(worst <= 1e-10 * Math.max(scale, 1), `max |Δ| = ${worst}`);
    // A negative control: another graph's BN statistics give different logits.
    const other = tinyProblem(22, 25, 4, 3, 'f64');
    const wrong = toGraphTransformer(params, config, other.features, other.graph).forward(data.features, data.graph, { dtype: 'f64' }).output;
    let diff = 0;
    for (let i = 0; i < mine.data.length; i++) diff = Math.max(diff, Math.abs(mine.data[i] - wrong.data[i]));
    assert.ok(diff > 1e-3, `statistics of another graph should change the logits (got ${diff})`);
    model.free();
  });
});
