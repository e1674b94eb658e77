// Which build of the SIMD kernels this engine can run: the relaxed-SIMD build (dist/kernels-relaxed.wasm, fused
// multiply-add through f32x4/f64x2.relaxed_madd, see assembly/fma.ts) where WebAssembly validates relaxed SIMD, the
// plain SIMD build (dist/kernels.wasm) otherwise. Relaxed SIMD is on by default in Deno, Chromium, Bun and
// Node ≥ 22, behind --experimental-wasm-relaxed-simd in Node 20. init() walks KERNEL_BUILDS in order.
import { BackendError, InputError } from './errors.js';

/** The two builds of the kernels: 'relaxed' (relaxed SIMD: fused multiply-add where the hardware has it) and 'plain'. */
export type KernelBuild = 'relaxed' | 'plain';

/** What init() accepts as options.simd: the best build this engine runs ('auto', the default), or one forced. */
export type SimdChoice = 'auto' | KernelBuild;
const CHOICES: readonly SimdChoice[] = ['auto', 'relaxed', 'plain'];

/**
 * The smallest module that uses both relaxed multiply-adds, for WebAssembly.validate:
 *   00 61 73 6d 01 00 00 00        magic "\0asm", version 1
 *   01 08 01 60 03 7b 7b 7b 01 7b  type section (8 bytes): 1 type, func (v128 v128 v128) → v128
 *   03 02 01 00                    function section: 1 function of type 0
 *   0a 14 01 12 00                 code section (20 bytes): 1 body of 18 bytes, no locals
 *     20 00 20 01 20 02            local.get 0, 1, 2
 *     fd 85 02                     f32x4.relaxed_madd (0xfd prefix, opcode 0x105 as LEB128)
 *     20 01 20 02                  local.get 1, 2
 *     fd 87 02                     f64x2.relaxed_madd (opcode 0x107)
 *     0b                           end
 * i.e. (func (param v128 v128 v128) (result v128) (f64x2.relaxed_madd (f32x4.relaxed_madd $0 $1 $2) $1 $2)).
 */
const RELAXED_MADD_PROBE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x14, 0x01, 0x12, 0x00,
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02,
  0x20, 0x01, 0x20, 0x02, 0xfd, 0x87, 0x02,
  0x0b,
];

let relaxed: boolean | null = null;

/** Whether this engine validates relaxed-SIMD multiply-adds (checked once, then cached). No module is compiled. */
export function relaxedSimdSupported(): boolean {
  if (relaxed === null) {
    try {
      relaxed = typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array(RELAXED_MADD_PROBE));
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/**
 * The kernel builds in order of preference, each with the test that says whether this engine runs it. The plain
 * build's own test is instantiation (a refusal falls back to the TS twins), so it always qualifies here.
 * A further build (e.g. shared memory and threads) is one more row.
 */
export const KERNEL_BUILDS: readonly { readonly build: KernelBuild; readonly runs: () => boolean }[] = [
  { build: 'relaxed', runs: relaxedSimdSupported },
  { build: 'plain', runs: () => true },
];

/** Throws InputError unless `choice` is undefined or one of 'auto', 'relaxed', 'plain'. */
export function checkSimdChoice(caller: string, choice: unknown): void {
  if (choice !== undefined && !CHOICES.includes(choice as SimdChoice)) {
    throw new InputError(`${caller}: options.simd must be one of ${CHOICES.map((c) => `'${c}'`).join(', ')}, not ${String(choice)}`);
  }
}

/**
 * The builds init() tries, in order: for 'auto', every row of KERNEL_BUILDS this engine runs; for a forced build,
 * that one alone. Throws BackendError when the forced build is 'relaxed' and the engine lacks relaxed SIMD.
 */
export function buildsToTry(caller: string, choice: SimdChoice = 'auto'): KernelBuild[] {
  if (choice === 'auto') return KERNEL_BUILDS.filter((b) => b.runs()).map((b) => b.build);
  const row = KERNEL_BUILDS.find((b) => b.build === choice)!;
  if (!row.runs()) {
    throw new BackendError(`${caller}: options.simd is '${choice}', but this engine does not support relaxed SIMD ` +
      "(WebAssembly.validate refuses relaxed_madd; Node 20 needs --experimental-wasm-relaxed-simd); pass { simd: 'auto' } " +
      "to take the plain SIMD build instead");
  }
  return [choice];
}
