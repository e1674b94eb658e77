// Peak memory of one f32 forward of the benchmark network on Tolokers, in a fresh process (WASM memory
// only grows, so the growth during the forward is the extra it needed at its peak):
//   node dist/bench/forward-memory.js        → one line of JSON
// Compared with what the forward cannot do without: the graph (rowPtr, colIdx), the features and three
// n×D f32 arrays (the layer input, Q·Kᵀ's operands are formed one at a time, the output).
import { init, DenseMatrix, forward, wasmMemoryPages } from '../src/index.js';
import { tolokers } from './graphs.js';
import { benchModel, WIDTH } from './model-setup.js';

await init();
const g = tolokers();
const n = g.pattern.numRows, m = g.pattern.numEdges;
const x = DenseMatrix.from(g.features.data, g.features.rows, g.features.cols, 'f32');
const model = benchModel(g.features.cols);
const page = 65536;
const before = wasmMemoryPages() * page;
const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const { output } = forward(model, x, g.pattern, { dtype: 'f32' });
const after = wasmMemoryPages() * page;
const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const graphBytes = (n + 1 + m) * 4, featureBytes = g.features.rows * g.features.cols * 4, nd = n * WIDTH * 4;
const floor = graphBytes + featureBytes + 3 * nd;
process.stdout.write(`${JSON.stringify({
  n, m, width: WIDTH, graphBytes, featureBytes, ndBytes: nd, floorBytes: floor,
  wasmGrowthBytes: after - before, jsGrowthBytes: Math.max(0, heapAfter - heapBefore),
  // the graph and features were resident before the forward; its extra plus them is the footprint
  peakBytes: graphBytes + featureBytes + (after - before),
  ratioToFloor: (graphBytes + featureBytes + (after - before)) / floor,
  outputRows: output.rows,
})}\n`);
