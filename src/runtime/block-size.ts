// The size limits of WASM memory, shared by the allocator (storage.ts) and the argument checks (validate.ts)
// without either importing the other (docs/architecture.md, "Memory model").

/**
 * The most bytes a WASM memory of the kernels holds: 65535 pages of 64 KiB (asconfig.json `maximumMemory`; a
 * 32-bit memory of 2¹⁶ pages would make its byte length 2³², which the pointers' u32 cannot reach).
 */
export const WASM_MEMORY_BYTES = 65535 * 65536;

/**
 * The largest block the WASM allocator hands out: the whole memory less the 64 MiB that the small-block
 * allocator (TLSF) and the module's static data keep. Blocks of 8 MiB and more are large regions outside
 * TLSF (assembly/memory.ts), so TLSF's own 1 GiB cap no longer applies. JS-heap arrays are held to the same
 * limit, so a call that fits on one backend fits on the other.
 */
export const MAX_BLOCK_BYTES = WASM_MEMORY_BYTES - 2 ** 26;

/**
 * Memory the up-front checks (assertWasmRoom, the forward's plan) leave unclaimed: TLSF's 32 MiB reserve for small
 * blocks (assembly/memory.ts), rounding of large regions to pages, and fragmentation.
 */
export const WASM_HEADROOM_BYTES = 2 ** 26;
