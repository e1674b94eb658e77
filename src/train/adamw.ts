// AdamW (Loshchilov & Hutter 2019, Algorithm 2) with PyTorch's defaults, and the cosine learning-rate schedule.
import { InputError } from '../runtime/errors.js';
import type { FloatDType } from '../linalg/dense.js';
import type { ParameterSet } from './parameters.js';

export interface AdamWOptions {
  /** β₁ (default 0.9). */
  beta1?: number;
  /** β₂ (default 0.999). */
  beta2?: number;
  /** ε (default 1e-8). */
  epsilon?: number;
  /** Decoupled weight decay λ (default 0.01, PyTorch's AdamW default). */
  weightDecay?: number;
}

/**
 * AdamW as torch.optim.AdamW does it: θ ← θ(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * θ ← θ − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂. Moments in f64. Cost O(#parameters) a step.
 */
export class AdamW {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly moments = new Map<string, { m: Float64Array; v: Float64Array }>();
  private steps = 0;

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    for (const [k, v] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(v >= 0 && v < 1)) throw new InputError(`AdamW: options.${k} must be in [0, 1), got ${v}`);
    }
    if (!(this.epsilon > 0)) throw new InputError(`AdamW: options.epsilon must be positive, got ${this.epsilon}`);
    if (!(this.weightDecay >= 0)) throw new InputError(`AdamW: options.weightDecay must be non-negative, got ${this.weightDecay}`);
  }

  /** One update of every parameter that has a gradient, at learning rate lr. */
  step<T extends FloatDType>(params: ParameterSet<T>, grads: ParameterSet<T>, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new InputError(`AdamW.step: lr must be a non-negative finite number, got ${lr}`);
    this.steps++;
    const c1 = 1 - this.beta1 ** this.steps, c2 = 1 - this.beta2 ** this.steps;
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) continue;
      let st = this.moments.get(name);
      if (!st) { st = { m: new Float64Array(p.data.length), v: new Float64Array(p.data.length) }; this.moments.set(name, st); }
      const pd = p.data, gd = g.data, m = st.m, v = st.v;
      const decay = 1 - lr * this.weightDecay;
      for (let i = 0; i < pd.length; i++) {
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * gd[i];
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * gd[i] * gd[i];
        pd[i] = pd[i] * decay - lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + this.epsilon);
      }
    }
  }
}

/**
 * The cosine schedule (Loshchilov & Hutter 2017, SGDR without restarts; torch CosineAnnealingLR with
 * η_min = 0): lr_t = base · ½(1 + cos(π·t/T)) for step t = 0 … T−1, optionally after a linear warm-up
 * over the first `warmup` steps. Throws InputError on a step outside [0, T).
 */
export function cosineLearningRate(base: number, step: number, total: number, warmup = 0): number {
  if (!(step >= 0 && step < total)) throw new InputError(`cosineLearningRate: step ${step} is outside [0, ${total})`);
  if (step < warmup) return base * (step + 1) / warmup;
  const t = (step - warmup) / Math.max(total - warmup, 1);
  return base * 0.5 * (1 + Math.cos(Math.PI * t));
}
