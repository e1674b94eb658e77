// CRC-32 of zip members (the IEEE 802.3 polynomial, reflected, 0xEDB88320), so that a flipped bit in a
// stored member, or one that still inflates, is reported rather than decoded (zip-directory.ts reads the
// CRC the archive records). see: PKWARE APPNOTE.TXT section 4.4.7

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
