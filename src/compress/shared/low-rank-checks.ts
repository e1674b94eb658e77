// The checks that Theorem 4.2, Proposition 4.3 and Theorem 4.4 share (Shirzad et al. 2024, App. C.3–C.5;
// docs/theory.md#9-theorem-42--almost-low-rank): the U-based attention inequalities (Lemmas L2, L3), the residual
// ε_34 of Lemma C.1, the distance of W_2H^(ℓ+3/4) to the next basis, and the width check.
import { scope } from '../../runtime/storage.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import { makeCheck } from '../framework/check.js';
import type { CertifyContext, Check, Decoder } from '../framework/types.js';
import { residualsTo, topRightSingularVectors } from './near-low-rank.js';

/** U^(ℓ+1): the decoder of the next layer's input, or U_out after the last layer (null for the identity). */
export function nextDecoder(ctx: CertifyContext, l: number): DenseMatrix<'f64'> | null {
  const c = ctx.compressed;
  const dec: Decoder | null = l + 1 < ctx.reference.depth ? c.decoders[l + 1].input : c.uOut;
  return dec && dec !== 'identity' && dec !== 'none' ? dec : null;
}

/** ε_34^(ℓ) = colmax((I − P_34P_34ᵀ)H^(ℓ+3/4)) with P_34 = topd(H^(ℓ+3/4), d) on the reference (Lemma C.1). */
export function threeQuarterResidual(ctx: CertifyContext, l: number, d: number): number {
  return scope(() => {
    const h = ctx.referenceTrace.layers[l].threeQuarter;
    return residualsTo(h, topRightSingularVectors(h, d)).epsilon;
  });
}

/** max_i dist(h_i^(ℓ+1), col U^(ℓ+1)) on the reference: how far W_2H^(ℓ+3/4) is from the next basis. */
export function outputBasisResidual(ctx: CertifyContext, l: number): number {
  const u = nextDecoder(ctx, l);
  return u ? scope(() => residualsTo(ctx.referenceTrace.layers[l].output, u).epsilon) : 0;
}

/**
 * The U-based attention checks of Thm 4.2 and Thm 4.4 (App. C.3, C.5; docs/theory.md#9-theorem-42--almost-low-rank, #11-theorem-44--clustering: bounds checked) (L2, L3): ε_a ≤ β²(2√α+e)e and
 * e_{1/2} ≤ βe + (e^{2ε_a}−1)β√α, with e = e^(ℓ) and e_{1/2} through U_V = P_V.
 */
export function attentionChecks(ctx: CertifyContext, l: number): Check[] {
  const { alpha, beta, tolerances: tol } = ctx;
  const lc = ctx.layers[l], ra = Math.sqrt(alpha);
  const e = lc.inputError ?? 0, epsA = lc.logitError, eHalf = lc.halfError ?? Infinity;
  return [
    makeCheck(tol, {
      name: 'L2: ε_a ≤ β²(2√α+e)e', kind: 'inequality', layer: l, measured: epsA, bound: beta * beta * (2 * ra + e) * e,
      scale: beta * beta * (ra + e) ** 2, detail: `e^(${l}) = ${e}, α = ${alpha}, β = ${beta}`,
    }),
    makeCheck(tol, {
      name: 'L3: e_{1/2} ≤ βe + (e^{2ε_a}−1)β√α', kind: 'inequality', layer: l, measured: eHalf,
      bound: beta * e + Math.expm1(2 * epsA) * beta * ra, scale: beta * (ra + e), detail: `e = ${e}, ε_a = ${epsA}`,
    }),
  ];
}

/** The width check: every narrow map of layer l is at most d×d, except `wide` ones (D×d or d×D). */
export function widthCheck(ctx: CertifyContext, l: number, d: number, wide: ('w1' | 'w2')[]): Check {
  const ln = ctx.compressed.narrow.layers[l];
  const dims: number[] = [ln.wQ.rows, ln.wK.rows, ln.wK.cols, ln.wV.rows];
  if (l > 0 || ctx.compressed.inputAdapter || ctx.reference.inputDim <= d) dims.push(ln.wQ.cols, ln.wV.cols);
  if (!wide.includes('w1')) dims.push(ln.w1.rows);
  dims.push(ln.w1.cols, ln.w2.rows);
  if (!wide.includes('w2')) dims.push(ln.w2.cols);
  const worst = Math.max(...dims);
  return makeCheck(ctx.tolerances, {
    name: `narrow widths ≤ d${wide.length ? ` (${wide.join(', ')} may be D wide)` : ''}`, kind: 'shape', layer: l, measured: worst, bound: d,
    detail: `Ŵ_Q ${ln.wQ.rows}×${ln.wQ.cols}, Ŵ_K ${ln.wK.rows}×${ln.wK.cols}, Ŵ_V ${ln.wV.rows}×${ln.wV.cols}, Ŵ_1 ${ln.w1.rows}×${ln.w1.cols}, Ŵ_2 ${ln.w2.rows}×${ln.w2.cols}`,
  });
}
