// Which pairs (i, j) attend, as data: the attention patterns of Section 2 of Shirzad et al. (2024) — the graph's
// own edges, with or without the self loops i→i, full attention, and the graph plus a random expander (Exphormer,
// Shirzad et al. 2023). A model file records one of these (src/io/model-safetensors.ts), so a trained or compressed
// network carries the pattern it computes on, and every command rebuilds that pattern from the graph.
import { InputError } from '../runtime/errors.js';
import { CsrGraph, csrFromEdges } from './csr.js';
import { expanderPattern, fullPattern, unionPattern } from './patterns.js';

/** An attention pattern, described rather than built: `buildAttentionPattern` turns it into a CsrGraph for a graph. */
export type AttentionPattern =
  /** The graph's edges (symmetrized as loaded), plus every missing self loop when selfLoops is true. */
  | { kind: 'graph'; selfLoops: boolean }
  /** Every node attends to every node (the dense transformer; n² entries). */
  | { kind: 'full' }
  /** The graph's edges, the self loops when selfLoops is true, and a random `degree`-regular expander drawn from `seed`. */
  | { kind: 'expander'; degree: number; seed: number; selfLoops: boolean };

/** The pattern narrowgt uses when neither a file nor a flag names one: the graph with self loops (N(i) ≠ ∅, Sec. 2). */
export const DEFAULT_ATTENTION_PATTERN: AttentionPattern = Object.freeze({ kind: 'graph', selfLoops: true }) as AttentionPattern;

/** Largest expander degree accepted (more would make the "sparse" pattern denser than most graphs). */
const MAX_EXPANDER_DEGREE = 1024;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that `value` is an AttentionPattern and returns a clean copy (unknown fields dropped).
 * Throws InputError naming `fn` and `name` otherwise: an unknown kind, a non-boolean selfLoops, an odd, non-positive
 * or too large expander degree (≤ 1024), a seed that is not an integer in [0, 2³¹).
 */
export function checkAttentionPattern(fn: string, name: string, value: unknown): AttentionPattern {
  if (!isPlainObject(value)) throw new InputError(`${fn}: ${name} must be an attention pattern { kind: 'graph' | 'full' | 'expander', … }, got ${String(value)}`);
  const bool = (field: string): boolean => {
    const v = value[field];
    if (typeof v !== 'boolean') throw new InputError(`${fn}: ${name}.${field} must be a boolean, got ${String(v)}`);
    return v;
  };
  switch (value.kind) {
    case 'graph':
      return { kind: 'graph', selfLoops: bool('selfLoops') };
    case 'full':
      return { kind: 'full' };
    case 'expander': {
      const degree = value.degree, seed = value.seed;
      if (typeof degree !== 'number' || !Number.isInteger(degree) || degree <= 0 || degree % 2 !== 0 || degree > MAX_EXPANDER_DEGREE) {
        throw new InputError(`${fn}: ${name}.degree must be a positive even integer ≤ ${MAX_EXPANDER_DEGREE}, got ${String(degree)}`);
      }
      if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) {
        throw new InputError(`${fn}: ${name}.seed must be an integer in [0, 2^31), got ${String(seed)}`);
      }
      return { kind: 'expander', degree, seed, selfLoops: bool('selfLoops') };
    }
    default:
      throw new InputError(`${fn}: ${name}.kind must be 'graph', 'full' or 'expander', got ${String(value.kind)}`);
  }
}

/** True when the two patterns describe the same pairs on every graph. */
export function sameAttentionPattern(a: AttentionPattern, b: AttentionPattern): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'full') return true;
  if (a.kind === 'graph') return a.selfLoops === (b as typeof a).selfLoops;
  const e = b as typeof a;
  return a.degree === e.degree && a.seed === e.seed && a.selfLoops === e.selfLoops;
}

/**
 * The pattern in the CLI's words: 'graph', 'graph+self-loops', 'full', 'graph+expander:8:0',
 * 'graph+self-loops+expander:8:0' (degree, then seed). formatAttentionPattern and parseAttentionPattern invert each other.
 */
export function formatAttentionPattern(p: AttentionPattern): string {
  if (p.kind === 'full') return 'full';
  const base = p.selfLoops ? 'graph+self-loops' : 'graph';
  return p.kind === 'graph' ? base : `${base}+expander:${p.degree}:${p.seed}`;
}

/**
 * Reads the CLI's words (see formatAttentionPattern): '+'-joined parts, 'graph' first, then optionally 'self-loops'
 * and 'expander:DEGREE[:SEED]' (seed 0 when omitted); or 'full' alone.
 * Throws InputError naming `fn` and `name` on anything else.
 */
export function parseAttentionPattern(fn: string, name: string, text: string): AttentionPattern {
  const bad = (why: string): never => {
    throw new InputError(`${fn}: ${name} must be 'graph', 'graph+self-loops', 'full' or 'graph[+self-loops]+expander:DEGREE[:SEED]' (${why}), got '${text}'`);
  };
  if (typeof text !== 'string') bad('not a string');
  if (text === 'full') return { kind: 'full' };
  const parts = text.split('+');
  if (parts[0] !== 'graph') bad("the first part must be 'graph'");
  let selfLoops = false;
  let expander: { degree: number; seed: number } | null = null;
  for (const part of parts.slice(1)) {
    if (part === 'self-loops' && !selfLoops && !expander) { selfLoops = true; continue; }
    const m = /^expander:(\d+)(?::(\d+))?$/.exec(part);
    if (m && !expander) { expander = { degree: Number(m[1]), seed: Number(m[2] ?? 0) }; continue; }
    bad(`unexpected part '${part}'`);
  }
  if (!expander) return { kind: 'graph', selfLoops };
  return checkAttentionPattern(fn, name, { kind: 'expander', degree: expander.degree, seed: expander.seed, selfLoops });
}

function withSelfLoops(graph: CsrGraph): CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  const rp = graph.rowPtr.array, ci = graph.colIdx.array;
  for (let i = 0; i < graph.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) { rows.push(i); cols.push(ci[e]); }
  return csrFromEdges(rows, cols, { numNodes: graph.numRows, selfLoops: true });
}

/**
 * The CsrGraph of `pattern` on `graph` — the graph's edges as loaded WITHOUT added self loops
 * (loadGraph(…, { selfLoops: false })), square. 'graph' with selfLoops adds the missing loops exactly as
 * loadGraph's default does (same CSR); 'full' is fullPattern(n); 'expander' is the union of the graph, the loops
 * when asked, and expanderPattern(n, degree, { seed }). The caller owns the result (a new CsrGraph, also for
 * 'graph' without self loops, so it may free both). Cost O(m log d) to build; 'full' holds n² entries.
 * Throws InputError (not a CsrGraph, not square, a bad pattern) before any work.
 */
export function buildAttentionPattern(graph: CsrGraph, pattern: AttentionPattern): CsrGraph {
  const fn = 'buildAttentionPattern';
  if (!(graph instanceof CsrGraph)) throw new InputError(`${fn}: graph must be a CsrGraph`);
  if (graph.numRows !== graph.numCols) throw new InputError(`${fn}: graph must be square, got ${graph.numRows}×${graph.numCols}`);
  const p = checkAttentionPattern(fn, 'pattern', pattern);
  const n = graph.numRows;
  if (p.kind === 'full') return fullPattern(n);
  const base = p.selfLoops ? withSelfLoops(graph) : unionPattern(graph, graph);
  if (p.kind === 'graph') return base;
  const ex = expanderPattern(n, p.degree, { seed: p.seed });
  try {
    return unionPattern(base, ex);
  } finally {
    ex.free();
    base.free();
  }
}
