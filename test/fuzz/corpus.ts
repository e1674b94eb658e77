// The fuzz corpus (issue 13, item 7): every input is a pure function of (target, index, seed), so a failure
// is replayed by its index. Byte inputs are mutations of the shipped data/minesweeper.npz, the shipped
// checkpoint data/checkpoints/minesweeper-d64.safetensors and hand-built .npy / .npz files; call inputs are
// public functions with option values drawn from a pool of hostile values.
import { readFileSync } from 'node:fs';
import { rng, type Rng } from '../../src/index.js';
import { encodeNpy, encodeNpz, npy } from '../support/npy-encode.js';

export const TARGETS = ['npy', 'npz-small', 'npz-shipped', 'safetensors', 'options'] as const;
export type Target = (typeof TARGETS)[number];

const fileOf = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../${rel}`, import.meta.url)));
let shipped: { npz: Uint8Array; checkpoint: Uint8Array } | null = null;
/** The shipped files, read once. */
export function shippedFiles(): { npz: Uint8Array; checkpoint: Uint8Array } {
  shipped ??= { npz: fileOf('data/minesweeper.npz'), checkpoint: fileOf('data/checkpoints/minesweeper-d64.safetensors') };
  return shipped;
}

/** A small heterophilous-layout graph archive (6 nodes), stored or deflated. */
export function smallGraph(level: 0 | 6): Uint8Array {
  return encodeNpz({
    node_features: npy.f4([6, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    node_labels: npy.i8([6], [0, 1, 0, 1, 1, 0]),
    edges: npy.i8([5, 2], [0, 1, 1, 2, 2, 3, 3, 4, 4, 5]),
    train_masks: npy.b1([1, 6], [1, 1, 0, 0, 0, 0]),
    val_masks: npy.b1([1, 6], [0, 0, 1, 1, 0, 0]),
    test_masks: npy.b1([1, 6], [0, 0, 0, 0, 1, 1]),
  }, level);
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One random mutation of `b` (a copy): bit flips, interesting bytes / u16 / u32, truncation, insertion, deletion, duplication. */
export function mutateBytes(g: Rng, b: Uint8Array, hot?: [number, number]): Uint8Array {
  let out: Uint8Array = b.slice();
  const steps = 1 + g.int(4);
  for (let s = 0; s < steps; s++) {
    if (out.length === 0) return new Uint8Array(g.int(4));
    // half the mutations land in the `hot` range (a header, a directory), the rest anywhere
    const pos = hot && g.float() < 0.5 ? Math.min(out.length - 1, hot[0] + g.int(Math.max(1, hot[1] - hot[0]))) : g.int(out.length);
    switch (g.int(8)) {
      case 0: out[pos] ^= 1 << g.int(8); break;
      case 1: out[pos] = [0, 0xff, 0x7f, 0x80, 0x28, 0x29, 0x30, 0x39][g.int(8)]; break;
      case 2: if (pos + 2 <= out.length) new DataView(out.buffer).setUint16(pos, INTERESTING_U32[g.int(INTERESTING_U32.length)] & 0xffff, true); break;
      case 3: if (pos + 4 <= out.length) new DataView(out.buffer).setUint32(pos, INTERESTING_U32[g.int(INTERESTING_U32.length)], true); break;
      case 4: out = out.slice(0, pos); break;
      case 5: { const ins = new Uint8Array(1 + g.int(16)).map(() => g.int(256)); out = concat(out.subarray(0, pos), ins, out.subarray(pos)); break; }
      case 6: out = concat(out.subarray(0, pos), out.subarray(Math.min(out.length, pos + 1 + g.int(32)))); break;
      default: { const len = Math.min(1 + g.int(64), out.length - pos); out = concat(out.subarray(0, pos + len), out.subarray(pos, pos + len), out.subarray(pos + len)); }
    }
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const DESCRS = ['<f4', '<f8', '<i8', '<i4', '<i2', '|i1', '|u1', '<u4', '|b1', '<U0', '<U3', '>f8', '>U2', '|O', '<f2', '=f4', '<c8', 'V8', '<U99999999'];
const SHAPES = ['()', '(0,)', '(3,)', '(2, 3)', '(1000000000000,)', '(100000000,)', '(-1,)', '(3, 0, 1000000000)', '(2147483647, 2147483647)',
  '(1.5,)', "('a',)", '(3,) (3,)', '[3]', '(9007199254740993,)'];

/** A hand-built .npy: a random header (dtype, order, shape, nesting, junk) over a random payload, then maybe mutated. */
export function npyCase(g: Rng): Uint8Array {
  const descr = DESCRS[g.int(DESCRS.length)];
  let shape = SHAPES[g.int(SHAPES.length)];
  if (g.float() < 0.1) { const d = 1 + g.int(5000); shape = `${'('.repeat(d)}${')'.repeat(g.float() < 0.5 ? d : g.int(d))}`; }
  const order = ['False', 'True', 'None', '0', "'no'"][g.float() < 0.8 ? g.int(2) : g.int(5)];
  let header = `{'descr': '${descr}', 'fortran_order': ${order}, 'shape': ${shape}, }`;
  if (g.float() < 0.1) header = header.replace("'descr'", ["'descr', 'descr'", 'descr', "'x'"][g.int(3)]);
  const payload = new Uint8Array([0, 1, 4, 6, 24, 48, 96][g.int(7)]).map(() => g.int(256));
  const bytes = encodeNpy(descr, [], payload, { header, version: ([1, 2, 3] as const)[g.int(3)] });
  return g.float() < 0.5 ? mutateBytes(g, bytes, [0, 64]) : bytes;
}

/** The zip directory region of an archive (end record and central directory), a mutation hot spot. */
function directoryRange(zip: Uint8Array): [number, number] {
  const cd = zip.length >= 22 ? new DataView(zip.buffer, zip.byteOffset).getUint32(zip.length - 6, true) : 0;
  return [Math.min(cd, zip.length), zip.length];
}

/** A mutated safetensors file: bytes, or its JSON header rewritten field by field. */
export function safetensorsCase(g: Rng, base: Uint8Array): Uint8Array {
  const n = Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0, true));
  if (g.float() < 0.5) return mutateBytes(g, base, [0, 8 + n]);
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + n))) as Record<string, unknown>;
  const names = Object.keys(header);
  const name = names[g.int(names.length)];
  const t = header[name] as Record<string, unknown>;
  const pool: unknown[] = [null, 1, -1, 'F16', 'BF16', 'F32', 'F64', 'I64', 'U8', 'XX', [], [1e300], [-1], [2 ** 53 + 2], [0, 0], [1, 2, 3], {}, '1', 1.5];
  const field = ['dtype', 'shape', 'data_offsets', 'extra', null][g.int(5)];
  if (field === null) header[name] = pool[g.int(pool.length)];
  else if (name === '__metadata__') (t as Record<string, unknown>)[['format', 'depth', 'variant', 'logit_scales', 'bn_epsilon', 'activation'][g.int(6)]] = [null, '0', '-1', '1e308', 'NaN', '[null]', '[1,2]', 'theory', '1e-45', 'relu', '{"a":'][g.int(11)];
  else if (t && typeof t === 'object') t[field] = pool[g.int(pool.length)];
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const enc = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + enc.length + base.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(enc.length), true);
  out.set(enc, 8);
  out.set(base.subarray(8 + n), 8 + enc.length);
  return out;
}

/** The bytes of input `index` of a byte target. */
export function bytesCase(target: Exclude<Target, 'options'>, index: number, seed: number): Uint8Array {
  const g = rng(seed * 1_000_003 + index * 7 + TARGETS.indexOf(target));
  switch (target) {
    case 'npy': return npyCase(g);
    case 'npz-small': { const z = smallGraph(g.float() < 0.5 ? 0 : 6); return mutateBytes(g, z, directoryRange(z)); }
    case 'npz-shipped': { const z = shippedFiles().npz; return mutateBytes(g, z, directoryRange(z)); }
    case 'safetensors': return safetensorsCase(g, shippedFiles().checkpoint);
  }
}

/** Hostile option values: wrong types, NaN, ±Inf, huge and tiny numbers, negative zero. */
export const POOL: unknown[] = [undefined, undefined, undefined, null, NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 1, 1.5, 2, 3, 7, 2 ** 31, 2 ** 32 + 1,
  2 ** 53, 1e300, -1e300, 5e-324, 1e-310, 'false', 'true', '1', '0.5', '', true, false, {}, [], [1], () => 1, Symbol('x'), 10n];

export function pick<T>(g: Rng, xs: readonly T[]): T {
  return xs[g.int(xs.length)];
}
