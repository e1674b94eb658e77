// The directory of a zip archive (as np.savez / np.savez_compressed write it), read one way — end record,
// then the central directory, then each member's local header — and cross-checked at every step: the end
// record's two entry counts, its zip64 twin when a zip64 locator is present, the directory's size and
// offset against where the end record sits, each entry against its local header (name and method), and
// every member's bytes against the archive's bounds. Nothing here inflates or allocates more than the
// directory itself; a malformed archive is a FormatError naming the member and the field.
// see: PKWARE APPNOTE.TXT sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.14-16 (zip64,
// end record), 4.5.3 (zip64 extra field)
import { FormatError } from '../runtime/errors.js';

/** One member of the archive, as the central directory describes it (checked against its local header). */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  crc: number;
  compressedSize: number;
  /** The uncompressed size the directory declares. */
  size: number;
  /** Offset of the member's (compressed) bytes in the archive. */
  dataStart: number;
}

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 2 ** 24;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;

const EOCD = 0x06054b50, ZIP64_EOCD = 0x06064b50, ZIP64_LOCATOR = 0x07064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

function decodeName(raw: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8').decode(raw);
  let s = '';
  for (let i = 0; i < raw.length; i++) s += String.fromCharCode(raw[i]); // CP437 for ASCII names = Latin-1
  return s;
}

/** The end record (and its zip64 twin): where the central directory lies and how many entries it holds. */
function endRecord(where: string, zip: Uint8Array): { count: number; cdOffset: number; cdSize: number; cdEnd: number } {
  // The end-of-central-directory record is the last 22 bytes plus an optional comment of up to 64 KiB.
  let eocd = -1;
  for (let o = zip.length - 22; o >= 0 && o >= zip.length - 22 - 0xffff; o--) {
    if (u32(zip, o) === EOCD && o + 22 + u16(zip, o + 20) === zip.length) { eocd = o; break; }
  }
  if (eocd < 0) throw new FormatError(`${where}: not a zip archive (no end-of-central-directory record) where its comment would end the file`);
  if (u16(zip, eocd + 4) !== 0 || u16(zip, eocd + 6) !== 0) throw new FormatError(`${where}: end record: multi-disk archives are not read`);
  let onDisk = u16(zip, eocd + 8), count = u16(zip, eocd + 10);
  let cdSize = u32(zip, eocd + 12), cdOffset = u32(zip, eocd + 16);
  let cdEnd = eocd;
  if (eocd >= 20 && u32(zip, eocd - 20) === ZIP64_LOCATOR) {
    const rec = u64(zip, eocd - 12);
    if (u32(zip, eocd - 16) !== 0 || u32(zip, eocd - 4) > 1) throw new FormatError(`${where}: zip64 locator: multi-disk archives are not read`);
    if (rec + 56 > eocd - 20 || u32(zip, rec) !== ZIP64_EOCD) throw new FormatError(`${where}: zip64 locator points at ${rec}, where no zip64 end record lies`);
    const on64 = u64(zip, rec + 24), count64 = u64(zip, rec + 32), size64 = u64(zip, rec + 40), offset64 = u64(zip, rec + 48);
    // the 32-bit fields either hold the same values or the "see zip64" markers
    const agree = (v32: number, v64: number, marker: number): boolean => v32 === marker || v32 === v64;
    if (!agree(onDisk, on64, 0xffff) || !agree(count, count64, 0xffff) || !agree(cdSize, size64, 0xffffffff) || !agree(cdOffset, offset64, 0xffffffff)) {
      throw new FormatError(`${where}: end record and zip64 end record disagree (entries ${count} vs ${count64}, directory size ${cdSize} vs ${size64}, offset ${cdOffset} vs ${offset64})`);
    }
    onDisk = on64; count = count64; cdSize = size64; cdOffset = offset64;
    cdEnd = rec;
  }
  if (onDisk !== count) throw new FormatError(`${where}: end record: entries on this disk (${onDisk}) and total entries (${count}) disagree`);
  return { count, cdOffset, cdSize, cdEnd };
}

/** The zip64 extra field's sizes and offset, for the entries whose 32-bit fields hold 0xffffffff. */
function zip64Extra(where: string, zip: Uint8Array, start: number, end: number, need: { size: boolean; csize: boolean; offset: boolean }):
  { size?: number; csize?: number; offset?: number } {
  for (let o = start; o + 4 <= end;) {
    const id = u16(zip, o), len = u16(zip, o + 2);
    if (o + 4 + len > end) break;
    if (id === 1) {
      let p = o + 4;
      const out: { size?: number; csize?: number; offset?: number } = {};
      for (const key of ['size', 'csize', 'offset'] as const) {
        if (!need[key]) continue;
        if (p + 8 > o + 4 + len) throw new FormatError(`${where}: zip64 extra field is too short`);
        out[key] = u64(zip, p);
        p += 8;
      }
      return out;
    }
    o += 4 + len;
  }
  throw new FormatError(`${where}: sizes marked as zip64 but no zip64 extra field`);
}

/**
 * Every entry of the archive's central directory, in directory order, each cross-checked against its local
 * header. `where` starts every error message. Cost O(directory size).
 */
export function readZipDirectory(where: string, zip: Uint8Array): ZipEntry[] {
  const { count, cdOffset, cdSize, cdEnd } = endRecord(where, zip);
  if (count > (cdEnd - cdOffset) / 46) throw new FormatError(`${where}: end record claims ${count} entries, more than its ${cdEnd - cdOffset}-byte central directory can hold`);
  const out: ZipEntry[] = [];
  const seen = new Set<string>();
  let o = cdOffset;
  for (let e = 0; e < count; e++) {
    if (o + 46 > cdEnd || u32(zip, o) !== CENTRAL) throw new FormatError(`${where}: central directory entry ${e} is damaged (no signature at offset ${o})`);
    const flags = u16(zip, o + 8), method = u16(zip, o + 10), crc = u32(zip, o + 16);
    let csize = u32(zip, o + 20), size = u32(zip, o + 24);
    const nameLen = u16(zip, o + 28), extraLen = u16(zip, o + 30), commentLen = u16(zip, o + 32);
    let local = u32(zip, o + 42);
    const next = o + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) throw new FormatError(`${where}: central directory entry ${e} runs past the directory's end`);
    const rawName = zip.subarray(o + 46, o + 46 + nameLen);
    const name = decodeName(rawName, (flags & 0x800) !== 0);
    const at = `${where}: member '${name}'`;
    if (seen.has(name)) throw new FormatError(`${at}: name appears twice in the central directory`);
    seen.add(name);
    if (flags & 1) throw new FormatError(`${at}: encrypted members are not read (flags ${flags})`);
    if (method !== 0 && method !== 8) throw new FormatError(`${at}: compression method ${method} is not read (0 stored, 8 deflate)`);
    if (size === 0xffffffff || csize === 0xffffffff || local === 0xffffffff) {
      const x = zip64Extra(at, zip, o + 46 + nameLen, o + 46 + nameLen + extraLen,
        { size: size === 0xffffffff, csize: csize === 0xffffffff, offset: local === 0xffffffff });
      size = x.size ?? size; csize = x.csize ?? csize; local = x.offset ?? local;
    }
    if (method === 0 && csize !== size) throw new FormatError(`${at}: stored member's compressed size ${csize} differs from its size ${size}`);
    if (local + 30 > cdOffset || u32(zip, local) !== LOCAL) throw new FormatError(`${at}: no local header at offset ${local}`);
    const lNameLen = u16(zip, local + 26), lExtraLen = u16(zip, local + 28);
    const lName = zip.subarray(local + 30, local + 30 + lNameLen);
    if (lNameLen !== nameLen || lName.some((b, i) => b !== rawName[i])) {
      throw new FormatError(`${at}: local header names it '${decodeName(lName, (u16(zip, local + 6) & 0x800) !== 0)}' (the central directory and local header must agree)`);
    }
    if (u16(zip, local + 8) !== method) throw new FormatError(`${at}: local header's method ${u16(zip, local + 8)} differs from the directory's ${method}`);
    const dataStart = local + 30 + lNameLen + lExtraLen;
    if (dataStart + csize > cdOffset) throw new FormatError(`${at}: compressed size ${csize} at offset ${dataStart} runs into the central directory (offset ${cdOffset})`);
    out.push({ name, method, crc, compressedSize: csize, size, dataStart });
    o = next;
  }
  if (cdOffset + cdSize !== cdEnd) {
    throw new FormatError(`${where}: end record: central directory at offset ${cdOffset} of size ${cdSize} does not end where the end record starts (${cdEnd})`);
  }
  if (o !== cdEnd) throw new FormatError(`${where}: ${cdEnd - o} bytes follow the ${count} central directory entries the end record declares`);
  return out;
}
