// Peak memory of one f32 forward of the benchmark network on Tolokers, in a fresh process:
//   node dist/bench/forward-memory.js        → one line of JSON
// Compared with what the forward cannot do without: the graph (rowPtr, colIdx), the features and three
// n×D f32 arrays (the layer input, Q·Kᵀ's operands are formed one at a time, the output).
//
// Two measures of what the forward adds on top of the graph and features, both over everything it
// allocates in WASM memory (buffers, weight and bias copies, scratch, the kernels' own temporaries):
//  * peakLiveBytes: the allocator's count of bytes in use at the forward's peak, minus those in use
//    before it (assembly/memory.ts counts every block and its header). This is the headline: it does not
//    depend on free space left in memory by earlier work (loading the graph frees about 4 MiB that the
//    forward would otherwise reuse unseen), nor on how TLSF grows memory.
//  * wasmGrowthBytes: how much linear memory grew. TLSF doubles memory when it runs out, so this is
//    quantised (one doubling here = the 10.6 MiB already there) and can hide a need that fits in free
//    space; pages grown but never written are address space, not RAM.
import { init, DenseMatrix, forward, wasmMemoryPages } from '../src/index.js';
import { wasmHeapBytes, resetWasmPeak } from '../src/runtime/storage.js';
import { tolokers } from './graphs.js';
import { benchModel, WIDTH } from './model-setup.js';

await init();
const g = tolokers();
const n = g.pattern.numRows, m = g.pattern.numEdges;
const x = DenseMatrix.from(g.features.data, g.features.rows, g.features.cols, 'f32');
const model = benchModel(g.features.cols);
const page = 65536;
const before = wasmMemoryPages() * page;
const liveBefore = wasmHeapBytes().live;
resetWasmPeak();
const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const { output } = forward(model, x, g.pattern, { dtype: 'f32' });
const after = wasmMemoryPages() * page;
const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const peakLive = wasmHeapBytes().peak - liveBefore;
const graphBytes = (n + 1 + m) * 4, featureBytes = g.features.rows * g.features.cols * 4, nd = n * WIDTH * 4;
const floor = graphBytes + featureBytes + 3 * nd;
process.stdout.write(`${JSON.stringify({
  n, m, width: WIDTH, graphBytes, featureBytes, ndBytes: nd, floorBytes: floor,
  peakLiveBytes: peakLive, peakLiveInND: peakLive / nd,
  wasmGrowthBytes: after - before, wasmBytesBefore: before, liveBytesBefore: liveBefore,
  jsGrowthBytes: Math.max(0, heapAfter - heapBefore),
  // the graph and features were resident before the forward; its extra plus them is the footprint
  peakBytes: graphBytes + featureBytes + peakLive,
  ratioToFloor: (graphBytes + featureBytes + peakLive) / floor,
  growthRatioToFloor: (graphBytes + featureBytes + (after - before)) / floor,
  outputRows: output.rows,
})}\n`);
