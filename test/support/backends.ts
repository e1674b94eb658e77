// Runs a function under each backend so a test can compare the WASM kernel with its TS twin.
import { init, setBackend, backend, kernelBuild, type Backend } from '../../src/index.js';

/**
 * Throws unless the loaded kernels are the build NARROWGT_KERNEL_BUILD names (scripts/run-tests.mjs sets 'relaxed'
 * for its relaxed-SIMD pass, so a pass that silently fell back to the plain build fails).
 */
function checkBuild(): void {
  const want = typeof process === 'object' ? process.env.NARROWGT_KERNEL_BUILD : undefined;
  if (!want) return;
  const before = backend();
  setBackend('wasm-simd');
  const got = kernelBuild();
  setBackend(before);
  if (got !== want) throw new Error(`NARROWGT_KERNEL_BUILD is '${want}' but the loaded kernels are the '${got}' build`);
}

export async function withBackend<R>(which: Backend, fn: () => R): Promise<R> {
  await init();
  checkBuild();
  const before = backend();
  setBackend(which);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

/** Max |a_i − b_i| / (atol + rtol·|b_i|) over two arrays of equal length (≤ 1 means within tolerance). */
export function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(r <= worst)) worst = Number.isNaN(r) ? Infinity : Math.max(worst, r);
  }
  return worst;
}
