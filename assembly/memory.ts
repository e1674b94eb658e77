// Allocation for tensors that live in WASM linear memory.
// The TS side owns every block: it calls alloc() when a tensor is created and free() when it is
// released. Blocks come from AssemblyScript's TLSF allocator (16-byte aligned, so v128 loads
// of a row start are aligned when the row length is a multiple of 4 floats).

/** Allocates `bytes` bytes (may grow memory; JS views must be refreshed afterwards). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees a block returned by alloc(). */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Current size of linear memory in 64 KiB pages (for leak tests). */
export function memoryPages(): i32 {
  return memory.size();
}
