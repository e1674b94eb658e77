// Bun 1.x: `bun main.ts`. Same code as Node: init() compiles the embedded kernels.
import { init, backend, csrFromEdges, DenseMatrix, sparseAttention } from 'narrowgt';

await init();
const ring = csrFromEdges([0, 1, 2, 3], [1, 2, 3, 0], { symmetrize: true, selfLoops: true });
const x = DenseMatrix.from(new Float32Array([1, 0, 0, 1, 1, 1, -1, 0]), 4, 2);
const { output } = sparseAttention(x, x, x, ring, { scale: 1 / Math.sqrt(2) });
console.log(backend(), JSON.stringify(output.toRows()));
