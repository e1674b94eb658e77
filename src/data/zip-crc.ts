// CRC-32 checking for zip members. fflate's unzipSync inflates without comparing the CRC-32 stored in
// the archive, so a flipped bit in a stored (uncompressed) member, or one that still inflates, would
// reach the caller as silently wrong numbers. This file reads the CRCs from the zip central directory
// and computes CRC-32 (the IEEE 802.3 polynomial, reflected, 0xEDB88320) of the extracted bytes.
// see: PKWARE APPNOTE.TXT sections 4.3.12 (central directory), 4.3.16 (end record), 4.3.14-15 (zip64)
import { FormatError } from '../runtime/errors.js';

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 of `bytes` as an unsigned 32-bit integer (the value zip stores). Cost O(n), one table lookup a byte. */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 2 ** 24;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/**
 * The CRC-32 the central directory records for each member, by name (names decoded as fflate decodes
 * them: UTF-8 when general-purpose flag bit 11 is set, Latin-1 otherwise). `where` prefixes errors.
 */
export function centralDirectoryCrcs(where: string, zip: Uint8Array): Map<string, number> {
  // The end-of-central-directory record is the last 22 bytes plus an optional comment of up to 64 KiB.
  let eocd = -1;
  for (let o = zip.length - 22; o >= 0 && o >= zip.length - 22 - 0xffff; o--) {
    if (u32(zip, o) === 0x06054b50) { eocd = o; break; }
  }
  if (eocd < 0) throw new FormatError(`${where}: not a zip archive (no end-of-central-directory record)`);
  let count = u16(zip, eocd + 10);
  let offset = u32(zip, eocd + 16);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && u32(zip, eocd - 20) === 0x07064b50) {
    const rec = u64(zip, eocd - 12); // zip64 end record offset, from the zip64 locator
    if (rec + 56 > zip.length || u32(zip, rec) !== 0x06064b50) throw new FormatError(`${where}: zip64 end-of-central-directory record is missing`);
    count = u64(zip, rec + 32);
    offset = u64(zip, rec + 48);
  }
  const out = new Map<string, number>();
  const utf8 = new TextDecoder('utf-8');
  for (let e = 0, o = offset; e < count; e++) {
    if (o + 46 > zip.length || u32(zip, o) !== 0x02014b50) throw new FormatError(`${where}: central directory entry ${e} is damaged`);
    const flags = u16(zip, o + 8), crc = u32(zip, o + 16);
    const nameLen = u16(zip, o + 28), extraLen = u16(zip, o + 30), commentLen = u16(zip, o + 32);
    if (o + 46 + nameLen > zip.length) throw new FormatError(`${where}: central directory entry ${e} runs past the end`);
    const raw = zip.subarray(o + 46, o + 46 + nameLen);
    let name = '';
    if (flags & 0x800) name = utf8.decode(raw);
    else for (let i = 0; i < raw.length; i++) name += String.fromCharCode(raw[i]);
    out.set(name, crc);
    o += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
