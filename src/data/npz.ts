// Reading a NumPy .npz archive (a zip of .npy members, as np.savez / np.savez_compressed write it).
// fflate is imported through its 'browser' entry on purpose: its default Node entry pulls in
// node:module and worker_threads (for the async API we do not use), and src/data must run anywhere.
import { unzipSync } from 'fflate/browser';
import { FormatError, InputError } from '../runtime/errors.js';
import { parseNpy, type NpyArray } from './npy.js';
import { centralDirectoryCrcs, crc32 } from './zip-crc.js';

export interface ReadNpzOptions {
  /** Decode only these members (names without '.npy'); the others are not even inflated. Default: all. */
  members?: readonly string[];
}

/**
 * Decodes every `.npy` member of a NumPy `.npz` archive into a Map keyed by the member name without
 * its `.npy` suffix (as `np.load(...).files` names them).
 *
 * Reads both stored (np.savez) and deflate-compressed (np.savez_compressed) members, and zip64
 * archives. Each member's CRC-32 is checked against the central directory, so damaged bytes are
 * reported rather than decoded. Directory entries are skipped.
 * Cost: inflating the selected members plus one CRC pass and one copy each, O(archive size).
 * Throws InputError when `bytes` is not a Uint8Array; FormatError when the bytes are not a zip
 * archive, a member fails to inflate or its CRC, a member is not a `.npy` file, or a member is a
 * malformed `.npy` (the message names the member, see readNpy).
 */
export function readNpz(bytes: Uint8Array, options: ReadNpzOptions = {}): Map<string, NpyArray> {
  const fn = 'readNpz';
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${fn}: bytes must be a Uint8Array`);
  if (options.members !== undefined && (!Array.isArray(options.members) || options.members.some((m) => typeof m !== 'string'))) {
    throw new InputError(`${fn}: options.members must be an array of member names`);
  }
  return decodeNpz(fn, bytes, options.members);
}

/** readNpz without the argument checks; `fn` starts every error message (loadGraph passes its own name). */
export function decodeNpz(fn: string, bytes: Uint8Array, members?: readonly string[]): Map<string, NpyArray> {
  const wanted = members === undefined ? null : new Set(members);
  const crcs = centralDirectoryCrcs(fn, bytes);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => !f.name.endsWith('/') && (!wanted || wanted.has(stripNpy(f.name))) });
  } catch (e) {
    throw new FormatError(`${fn}: bytes are not a readable zip archive (${(e as Error).message})`);
  }
  const out = new Map<string, NpyArray>();
  for (const [file, data] of Object.entries(files)) {
    if (!file.endsWith('.npy')) throw new FormatError(`${fn}: member '${file}' is not a .npy array (an .npz holds only .npy members)`);
    const name = stripNpy(file);
    const expected = crcs.get(file);
    if (expected === undefined) throw new FormatError(`${fn}: member '${file}' is missing from the central directory`);
    const actual = crc32(data);
    if (actual !== expected) {
      throw new FormatError(`${fn}: member '${name}' is damaged (CRC-32 ${hex(actual)}, the archive records ${hex(expected)})`);
    }
    out.set(name, parseNpy(`${fn}: member '${name}'`, data));
  }
  return out;
}

/** The names of an archive's members (without '.npy'), in archive order, without inflating anything. */
export function npzMemberNames(fn: string, bytes: Uint8Array): string[] {
  return [...centralDirectoryCrcs(fn, bytes).keys()].filter((f) => !f.endsWith('/')).map(stripNpy);
}

function stripNpy(file: string): string {
  return file.endsWith('.npy') ? file.slice(0, -4) : file;
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
