// Reading a NumPy .npz archive (a zip of .npy members, as np.savez / np.savez_compressed write it).
// fflate is imported through its 'browser' entry on purpose: its default Node entry pulls in
// node:module and worker_threads (for the async API we do not use), and src/data must run anywhere.
// Only fflate's raw inflate is used: the zip structure is read and cross-checked in zip-directory.ts.
import { inflateSync } from 'fflate/browser';
import { FormatError, InputError } from '../runtime/errors.js';
import { checkOptionsObject, requireInt, requireStringArray } from '../runtime/validate.js';
import { parseNpy, type NpyArray } from './npy.js';
import { crc32 } from './zip-crc.js';
import { readZipDirectory, type ZipEntry } from './zip-directory.js';

export interface ReadNpzOptions {
  /** Decode only these members (names without '.npy'); the others are not even inflated. Default: all. */
  members?: readonly string[];
  /**
   * The most bytes the decoded members may take together, checked against the sizes the archive
   * declares before anything is inflated (default: defaultMaxBytes(archive), 256 MiB or 64 × the
   * archive's size, whichever is larger).
   */
  maxBytes?: number;
}

/** The default cap on inflated bytes: 256 MiB or 64 × the archive's size, whichever is larger. */
export function defaultMaxBytes(archiveBytes: number): number {
  return Math.max(256 * 2 ** 20, 64 * archiveBytes);
}

/**
 * Decodes every `.npy` member of a NumPy `.npz` archive into a Map keyed by the member name without
 * its `.npy` suffix (as `np.load(...).files` names them).
 *
 * Reads both stored (np.savez) and deflate-compressed (np.savez_compressed) members, and zip64
 * archives. The zip directory is cross-checked (end record counts, zip64 record, local vs central
 * headers), the declared sizes are checked against options.maxBytes before anything is inflated,
 * each member must inflate to exactly its declared size, and its CRC-32 is checked over those bytes,
 * so damaged bytes are reported rather than decoded. Directory entries are skipped.
 * Cost: inflating the selected members plus one CRC pass and one copy each, O(archive size).
 * Throws InputError when `bytes` is not a Uint8Array or an option is malformed; FormatError (naming the
 * member and the field) when the bytes are not a zip archive, the directory is inconsistent, the
 * declared sizes exceed maxBytes, a member fails to inflate, has the wrong size or CRC, is not a `.npy`
 * file, or is a malformed `.npy` (see readNpy).
 */
export function readNpz(bytes: Uint8Array, options: ReadNpzOptions = {}): Map<string, NpyArray> {
  const fn = 'readNpz';
  checkBytes(fn, bytes);
  checkOptionsObject(fn, options);
  if (options.members !== undefined) requireStringArray(fn, 'options.members', options.members);
  if (options.maxBytes !== undefined) requireInt(fn, 'options.maxBytes', options.maxBytes, 0);
  return decodeNpz(fn, bytes, options.members, options.maxBytes);
}

/** InputError unless `bytes` is a Uint8Array. */
export function checkBytes(fn: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${fn}: bytes must be a Uint8Array`);
}

/** readNpz without the argument checks; `fn` starts every error message (loadGraph passes its own name). */
export function decodeNpz(fn: string, bytes: Uint8Array, members?: readonly string[], maxBytes?: number): Map<string, NpyArray> {
  const wanted = members === undefined ? null : new Set(members);
  const cap = maxBytes ?? defaultMaxBytes(bytes.length);
  const entries = readZipDirectory(fn, bytes).filter((e) => !e.name.endsWith('/') && (!wanted || wanted.has(stripNpy(e.name))));
  let total = 0;
  for (const e of entries) {
    if (!e.name.endsWith('.npy')) throw new FormatError(`${fn}: member '${e.name}' is not a .npy array (an .npz holds only .npy members)`);
    total += e.size;
  }
  if (total > cap) {
    throw new FormatError(`${fn}: the members declare ${total} bytes uncompressed, more than maxBytes = ${cap} (raise options.maxBytes to read this file)`);
  }
  const out = new Map<string, NpyArray>();
  for (const e of entries) {
    const name = stripNpy(e.name);
    out.set(name, parseNpy(`${fn}: member '${name}'`, memberBytes(fn, bytes, e, name)));
  }
  return out;
}

/** The member's bytes: exactly its declared size, with the CRC-32 the directory records. */
function memberBytes(fn: string, zip: Uint8Array, e: ZipEntry, name: string): Uint8Array {
  const raw = zip.subarray(e.dataStart, e.dataStart + e.compressedSize);
  let data: Uint8Array;
  if (e.method === 0) data = raw;
  else {
    // One byte more than declared: an output that fills it is longer than the directory says.
    const buf = new Uint8Array(e.size + 1);
    try {
      data = inflateSync(raw, { out: buf });
    } catch (err) {
      throw new FormatError(`${fn}: member '${name}' does not inflate (${(err as Error).message})`);
    }
    if (data.length !== e.size) {
      const got = data.length > e.size ? `more than ${e.size}` : `${data.length}`;
      throw new FormatError(`${fn}: member '${name}' inflates to ${got} bytes but its directory entry declares size ${e.size}`);
    }
  }
  const actual = crc32(data);
  if (actual !== e.crc) {
    throw new FormatError(`${fn}: member '${name}' is damaged (CRC-32 ${hex(actual)}, the archive records ${hex(e.crc)})`);
  }
  return data;
}

/** The names of an archive's members (without '.npy'), in archive order, without inflating anything. */
export function npzMemberNames(fn: string, bytes: Uint8Array): string[] {
  return readZipDirectory(fn, bytes).map((e) => e.name).filter((f) => !f.endsWith('/')).map(stripNpy);
}

function stripNpy(file: string): string {
  return file.endsWith('.npy') ? file.slice(0, -4) : file;
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
