// Cloudflare Workers: the kernels come in as a module binding (a WebAssembly.Module), because workerd
// refuses to compile WASM from bytes; init() takes the module as it is.
import { init, backend, scope, csrFromEdges, DenseMatrix, sparseAttention } from 'narrowgt/slim';
import kernels from 'narrowgt/kernels.wasm';

export default {
  async fetch() {
    await init(kernels);
    // scope() frees the WASM memory of everything allocated inside once the request is answered.
    const text = scope(() => {
      const ring = csrFromEdges([0, 1, 2, 3], [1, 2, 3, 0], { symmetrize: true, selfLoops: true });
      const x = DenseMatrix.from(new Float32Array([1, 0, 0, 1, 1, 1, -1, 0]), 4, 2);
      const { output } = sparseAttention(x, x, x, ring, { scale: 1 / Math.sqrt(2) });
      return `${backend()} ${JSON.stringify(output.toRows())}`;
    });
    return new Response(text);
  },
};
