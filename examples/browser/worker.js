// A module Web Worker that streams kernels.wasm as its own asset (as bundlers that emit .wasm files do)
// and hands the compiled module to init(). Import maps do not reach workers, hence the full path.
import { init, backend, csrFromEdges, DenseMatrix, sparseAttention } from './node_modules/narrowgt/dist/browser/narrowgt.js';

const wasmUrl = new URL('./node_modules/narrowgt/dist/kernels.wasm', import.meta.url);
await init(await WebAssembly.compileStreaming(fetch(wasmUrl)));
const ring = csrFromEdges([0, 1, 2, 3], [1, 2, 3, 0], { symmetrize: true, selfLoops: true });
const x = DenseMatrix.from(new Float32Array([1, 0, 0, 1, 1, 1, -1, 0]), 4, 2);
const { output } = sparseAttention(x, x, x, ring, { scale: 1 / Math.sqrt(2) });
postMessage(`${backend()} ${JSON.stringify(output.toRows())}`);
