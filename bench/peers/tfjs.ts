// tfjs-backend-wasm (XNNPACK, WASM SIMD) pinned to one thread: the GEMM f32 peer of the performance issue.
// Loaded lazily so the other suites run when the devDependency is absent.

export interface TfjsPeer {
  /** A 2-D f32 tensor holding `values` (row-major rows×cols), owned by tfjs. */
  tensor(values: Float32Array, rows: number, cols: number): unknown;
  /** C = op(A)·op(B), read back to a Float32Array (the tensor is disposed) — the anchor's `matMul(a, b).dataSync()`. */
  matMul(a: unknown, b: unknown, transA?: boolean, transB?: boolean): Float32Array;
  dispose(t: unknown): void;
  version: string;
}

let cached: Promise<TfjsPeer | null> | null = null;

/** The tfjs peer, or null (with the reason on stderr) when @tensorflow/tfjs-backend-wasm is not installed. */
export function loadTfjs(): Promise<TfjsPeer | null> {
  cached ??= (async () => {
    try {
      const tf = await import('@tensorflow/tfjs-core');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setThreadsCount(1);
      await tf.setBackend('wasm');
      await tf.ready();
      return {
        tensor: (values, rows, cols) => tf.tensor2d(values, [rows, cols], 'float32'),
        matMul: (a, b, transA = false, transB = false) => {
          const c = tf.matMul(a as never, b as never, transA, transB);
          const out = c.dataSync() as Float32Array;
          c.dispose();
          return out;
        },
        dispose: (t) => (t as { dispose(): void }).dispose(),
        version: `tfjs-backend-wasm ${wasm.version_wasm}, ${wasm.getThreadsCount()} thread, backend ${tf.getBackend()}`,
      } satisfies TfjsPeer;
    } catch (e) {
      process.stderr.write(`bench: tfjs peer skipped (${e instanceof Error ? e.message : String(e)})\n`);
      return null;
    }
  })();
  return cached;
}
