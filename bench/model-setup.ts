// The benchmarked network: 4 layers at D = 64 on Tolokers (10 input features), the practical variant of
// the paper's experiments without batch norms — an encoder 10 → 64, then per layer Q, K, V 64 → 64,
// logits scaled by 1/√64, identity skips around attention and around the FFN (64 → 64 → 64, ReLU).
// Weights are Gaussian with variance 1/fan-in from rng(seed); forward-torch.py builds the same shapes.
import { DenseMatrix, createModel, rng, type GraphTransformer } from '../src/index.js';

export const LAYERS = 4;
export const WIDTH = 64;

function weight(r: ReturnType<typeof rng>, rows: number, cols: number): DenseMatrix<'f64'> {
  return DenseMatrix.from(r.fillNormal(new Float64Array(rows * cols), 1 / Math.sqrt(cols)), rows, cols, 'f64');
}

/** The 4-layer D = 64 network for `inputDim` features. */
export function benchModel(inputDim: number, seed = 0): GraphTransformer {
  const r = rng(seed);
  const layers = [];
  for (let l = 0; l < LAYERS; l++) {
    layers.push({
      wQ: weight(r, WIDTH, WIDTH), wK: weight(r, WIDTH, WIDTH), wV: weight(r, WIDTH, WIDTH),
      w1: weight(r, WIDTH, WIDTH), w2: weight(r, WIDTH, WIDTH),
      b1: new Float64Array(WIDTH), b2: new Float64Array(WIDTH),
      logitScale: 1 / Math.sqrt(WIDTH),
      attentionSkip: 'identity' as const, ffnSkip: 'identity' as const,
    });
  }
  return createModel({ variant: 'practical', activation: 'relu', layers, encoder: { weight: weight(r, WIDTH, inputDim), bias: new Float64Array(WIDTH) } });
}
