// Multiply-add a·b + c on f32x4 / f64x2 lanes: the one place the kernels choose between fused and plain.
// Built with `--enable relaxed-simd` (asconfig.json target "relaxed", dist/kernels-relaxed.wasm) it is
// f32x4.relaxed_madd / f64x2.relaxed_madd, which the engine may compute fused (one rounding: V8 on x64 with
// FMA3 emits vfmadd) or as a multiply and an add (two roundings); without it (target "release",
// dist/kernels.wasm) it is always the multiply and the add. The choice is a compile-time constant
// (ASC_FEATURE_RELAXED_SIMD), so neither build carries a branch.
// Accuracy: a fused a·b + c is at least as accurate as the plain one (one rounding instead of two), so every
// error bound stated for the plain sums (Σ of n products within n·u·Σ|products|) holds for both; bitwise
// agreement with the plain-TS twins holds only for the plain build.

/** a·b + c lane by lane, T = f32 or f64: fused where the relaxed build runs on FMA hardware. */
@inline export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/** a·b + c on f32x4 lanes. */
@inline export function madd_f32x4(a: v128, b: v128, c: v128): v128 {
  return madd<f32>(a, b, c);
}

/** a·b + c on f64x2 lanes. */
@inline export function madd_f64x2(a: v128, b: v128, c: v128): v128 {
  return madd<f64>(a, b, c);
}

/** 1 in the relaxed-SIMD build, 0 in the plain one (what kernelBuild() in src/runtime/init.ts reports). */
export function relaxed_simd_build(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
