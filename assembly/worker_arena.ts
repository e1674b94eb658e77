// A thread-pool worker's allocations (assembly/threads.ts sets it up; assembly/memory.ts asks it): a worker never
// touches the TLSF heap, so every alloc() of its kernel bumps through the arena the main thread gave it for the job,
// and free() is a no-op there. A leaf file, so that memory.ts (which every kernel imports) imports no kernel.

let arenaNext: usize = 0;
let arenaEnd: usize = 0;
let worker: bool = false;

/** Makes this instance a worker whose allocations come from [base, end) until the next call (one per job). */
export function start_arena(base: usize, end: usize): void {
  worker = true;
  arenaNext = base;
  arenaEnd = end;
}

/** True in a worker instance (after thread_setup): alloc() then bumps through the arena. */
@inline export function in_worker(): bool {
  return worker;
}

/** A worker's allocation: the next 16-byte-aligned piece of its arena; traps when the arena is exhausted. */
export function arena_alloc(bytes: usize): usize {
  const p = arenaNext;
  const next = p + ((bytes + 15) & ~(<usize>15));
  if (next > arenaEnd || next < p) abort("thread arena exhausted");
  arenaNext = next;
  return p;
}
