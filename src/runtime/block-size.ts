// The size limit of one block of memory, shared by the allocator (storage.ts) and the argument checks (validate.ts)
// without either importing the other.

/**
 * The largest block the WASM allocator hands out (AssemblyScript's TLSF: 2³⁰ bytes less its 4-byte header).
 * JS-heap arrays are held to the same limit, so a call that fits on one backend fits on the other.
 */
export const MAX_BLOCK_BYTES = 2 ** 30 - 16;
