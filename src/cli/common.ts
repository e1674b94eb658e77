// What several commands share: option parsing with one-line errors, graph and model files, WASM memory.
import { readFileSync, writeFileSync, existsSync, renameSync, unlinkSync, statSync, accessSync, linkSync, constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  init, threadInfo, useThreads, modelFromSafetensors, buildAttentionPattern, DEFAULT_ATTENTION_PATTERN, formatAttentionPattern, parseAttentionPattern,
  sameAttentionPattern, type AttentionPattern, type LoadedGraph, type GraphTransformer,
} from '../index.js';
import { loadGraphFile, bundledGraphPath } from '../node/index.js';

import { CliError } from './cli-error.js';
import { note } from './notes.js';
import type { OptionSpec } from './commands/types.js';

type Values = Record<string, string | boolean | undefined>;

/** The repository (or installed package) root: dist/src/cli/ → ../../.. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The committed checkpoint the demo compresses (trained by the command in data/checkpoints/README.md). */
export function bundledCheckpointPath(): string {
  return join(packageRoot, 'data', 'checkpoints', 'minesweeper-d64.safetensors');
}

/** An integer option in [min, max]; CliError naming the option otherwise. */
export function intOption(cmd: string, values: Values, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new CliError(`${cmd}: --${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got '${String(raw)}'`);
  }
  return v;
}

/** A positive finite number option; CliError otherwise. */
export function numberOption(cmd: string, values: Values, name: string, min = 0, inclusive = false): number {
  const raw = values[name];
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || (inclusive ? v < min : v <= min)) {
    throw new CliError(`${cmd}: --${name} must be a number ${inclusive ? '≥' : '>'} ${min}, got '${String(raw)}'`);
  }
  return v;
}

/** A comma-separated list of integers in [min, max]; CliError otherwise. */
export function intListOption(cmd: string, values: Values, name: string, min: number, max: number): number[] {
  const raw = values[name];
  if (typeof raw !== 'string' || raw.trim() === '') throw new CliError(`${cmd}: --${name} must be a comma-separated list of integers, got '${String(raw)}'`);
  return raw.split(',').map((s) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new CliError(`${cmd}: --${name} entries must be integers in [${min}, ${max}], got '${s}'`);
    return v;
  });
}

/** A comma-separated list of positive numbers; CliError otherwise. */
export function numberListOption(cmd: string, values: Values, name: string): number[] {
  const raw = values[name];
  if (typeof raw !== 'string' || raw.trim() === '') throw new CliError(`${cmd}: --${name} must be a comma-separated list of positive numbers, got '${String(raw)}'`);
  return raw.split(',').map((s) => {
    const v = Number(s);
    if (s.trim() === '' || !(v > 0 && Number.isFinite(v))) throw new CliError(`${cmd}: --${name} entries must be positive numbers, got '${s}'`);
    return v;
  });
}

/** One of the listed strings; CliError otherwise. */
export function choiceOption<T extends string>(cmd: string, values: Values, name: string, choices: readonly T[]): T {
  const raw = values[name];
  if (typeof raw !== 'string' || !choices.includes(raw as T)) throw new CliError(`${cmd}: --${name} must be one of ${choices.join(', ')}, got '${String(raw)}'`);
  return raw as T;
}

/** A required string option. */
export function requiredOption(cmd: string, values: Values, name: string, what: string): string {
  const raw = values[name];
  if (typeof raw !== 'string' || raw === '') throw new CliError(`${cmd}: --${name} is required (${what})`);
  return raw;
}

/** The options every graph-reading command takes. */
export const graphOptions: Record<string, OptionSpec> = {
  graph: { type: 'string', description: 'an .npz graph (Platonov or Shchur layout); default: the bundled Minesweeper' },
  split: { type: 'string', description: 'which of the shipped splits (0-9); a graph without splits gets a random 0.6/0.2/0.2 split with this seed', default: '0' },
  pattern: {
    type: 'string',
    description: "attention pattern: graph, graph+self-loops, full, graph[+self-loops]+expander:DEGREE[:SEED]; default: the model file's, else graph+self-loops",
  },
  'self-loops': { type: 'string', description: 'shorthand for --pattern graph+self-loops (true) or graph (false)' },
};

/** The pattern named by --pattern or --self-loops, or null when neither is given. CliError when they disagree. */
export function patternFlag(cmd: string, values: Values): AttentionPattern | null {
  const raw = values.pattern;
  let fromPattern: AttentionPattern | null = null;
  if (raw !== undefined) {
    try {
      fromPattern = parseAttentionPattern(cmd, '--pattern', String(raw));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (values['self-loops'] === undefined) return fromPattern;
  const selfLoops = choiceOption(cmd, values, 'self-loops', ['true', 'false'] as const) === 'true';
  if (!fromPattern) return { kind: 'graph', selfLoops };
  if (fromPattern.kind === 'full' || fromPattern.selfLoops !== selfLoops) {
    throw new CliError(`${cmd}: --self-loops ${String(selfLoops)} contradicts --pattern ${formatAttentionPattern(fromPattern)}; give one of them`);
  }
  return fromPattern;
}

/**
 * The attention pattern a command runs on: the one the model file(s) record, else the flags', else the default
 * (graph + self loops). A flag that contradicts a recorded pattern is a CliError: the file is the function.
 * `recorded` lists what each input file says (null: it records none), with the option that named the file.
 */
export function resolvePattern(cmd: string, values: Values, recorded: { option: string; pattern: AttentionPattern | null }[] = []):
  { pattern: AttentionPattern; source: 'file' | 'flag' | 'default' } {
  const flag = patternFlag(cmd, values);
  let fromFile: { option: string; pattern: AttentionPattern } | null = null;
  for (const r of recorded) {
    if (!r.pattern) continue;
    if (fromFile && !sameAttentionPattern(fromFile.pattern, r.pattern)) {
      throw new CliError(`${cmd}: --${r.option} records attention pattern ${formatAttentionPattern(r.pattern)} but --${fromFile.option} records ${formatAttentionPattern(fromFile.pattern)}`);
    }
    fromFile = { option: r.option, pattern: r.pattern };
  }
  if (fromFile) {
    if (flag && !sameAttentionPattern(flag, fromFile.pattern)) {
      throw new CliError(`${cmd}: the attention pattern ${formatAttentionPattern(flag)} given on the command line contradicts --${fromFile.option}, which records ${formatAttentionPattern(fromFile.pattern)} (leave the flag out: the file decides)`);
    }
    return { pattern: fromFile.pattern, source: 'file' };
  }
  return flag ? { pattern: flag, source: 'flag' } : { pattern: DEFAULT_ATTENTION_PATTERN, source: 'default' };
}

let kernelThreads: number | undefined;

/** The global --threads N of the command line (undefined: init()'s default, the cores up to 8). */
export function setKernelThreads(n: number | undefined): void {
  kernelThreads = n;
}

/** Loads the kernels (idempotent), so that models and graphs read afterwards are WASM-resident; on --threads N threads. */
export async function prepareKernels(): Promise<void> {
  await init(undefined, kernelThreads === undefined ? {} : { threads: kernelThreads });
  // init() decides once per process; a later command in the same process (tests) still gets its own count, up to the started threads
  const started = threadInfo().threads;
  useThreads(Math.min(kernelThreads ?? started, started));
}

/** A loaded graph whose `graph` is the attention pattern the command runs on, and that pattern. */
export type PatternedGraph = LoadedGraph & { pattern: AttentionPattern };

/**
 * Loads --graph (default: the bundled Minesweeper) with split --split, and builds its attention pattern (see
 * resolvePattern: recorded in the model files, else --pattern / --self-loops, else graph + self loops).
 * Initializes the kernels first. Throws CliError / the loader's
 * FormatError.
 */
export async function loadGraphOption(cmd: string, values: Values, recorded: { option: string; pattern: AttentionPattern | null }[] = []): Promise<PatternedGraph> {
  const path = (values.graph as string | undefined) ?? bundledGraphPath();
  if (!path.endsWith('.npz')) throw new CliError(`${cmd}: --graph must name an .npz file, got '${path}'`);
  const split = intOption(cmd, values, 'split', 0, 1_000_000);
  const { pattern } = resolvePattern(cmd, values, recorded);
  await prepareKernels();
  // The graph's own edges (no added loops): buildAttentionPattern adds what the pattern asks for.
  let g = loadGraphFile(path, { randomSplit: { train: 0.6, val: 0.2, seed: split }, selfLoops: false });
  if (g.layout === 'heterophilous' && split !== 0) {
    g.free();
    if (split >= g.splits.length) throw new CliError(`${cmd}: --split ${split} is out of range: ${path} ships ${g.splits.length} splits (0-${g.splits.length - 1})`);
    g = loadGraphFile(path, { split, selfLoops: false });
  }
  const raw = g;
  try {
    const built = buildAttentionPattern(raw.graph, pattern);
    raw.graph.free();
    return { ...raw, graph: built, pattern, free: () => { raw.free(); built.free(); } };
  } catch (e) {
    raw.free();
    throw e;
  }
}

/** What an input file records about the attention pattern, with the option that named it. */
export interface RecordedPattern {
  option: string;
  pattern: AttentionPattern | null;
}

/**
 * Reads --model's file and then the graph on the pattern it (and `also`, e.g. a compressed twin) records — see
 * resolvePattern — with a note on stderr when no file records one. Frees the model when the graph fails to load.
 */
export async function readModelAndGraph(cmd: string, values: Values, path: string, also: RecordedPattern[] = []):
  Promise<{ model: GraphTransformer; metadata: Record<string, string>; g: PatternedGraph }> {
  await prepareKernels();
  const read = readModelFile(cmd, path);
  const recorded = [{ option: 'model', pattern: read.pattern }, ...also];
  let g: PatternedGraph;
  try {
    g = await loadGraphOption(cmd, values, recorded);
  } catch (e) {
    read.model.free();
    throw e;
  }
  if (recorded.every((r) => !r.pattern)) {
    const names = recorded.map((r) => `--${r.option}`);
    note(`${names.join(' and ')} record${names.length > 1 ? '' : 's'} no attention pattern; running on ${formatAttentionPattern(g.pattern)} (choose with --pattern)`);
  }
  return { model: read.model, metadata: read.metadata, g };
}

/** Reads and parses a model .safetensors file; CliError when unreadable, FormatError when malformed. */
export function readModelFile(cmd: string, path: string, option = 'model'): { model: GraphTransformer; metadata: Record<string, string>; pattern: AttentionPattern | null } {
  if (!path.endsWith('.safetensors')) throw new CliError(`${cmd}: --${option} must name a .safetensors file, got '${path}'`);
  return modelFromSafetensors(readBytes(cmd, path, option));
}

/** The bytes of a file, or a CliError naming the option and the reason. */
export function readBytes(cmd: string, path: string, option: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`${cmd}: --${option} '${path}' does not exist`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`${cmd}: cannot read --${option} '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Writes a file, or a CliError naming the option and the reason. All-or-nothing: see writeOutputs. */
export function writeOutput(cmd: string, path: string, data: Uint8Array | string, option: string): void {
  writeOutputs(cmd, [{ path, data, option }]);
}

/** One file a command writes: where, what, and the option that named it (for messages). */
export interface OutputFile {
  path: string;
  data: Uint8Array | string;
  option: string;
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** A temporary name beside `path` (same folder, so the rename is atomic on one file system). */
function tempBeside(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.${tag}`);
}

function removeQuietly(path: string): void {
  try { unlinkSync(path); } catch { /* already gone */ }
}

/**
 * Writes several files all-or-nothing: every file first goes to a temporary file in its target's folder;
 * only when all of them are written are they renamed over their targets. A failure while writing (a full
 * disk, `ulimit -f`, a missing folder) removes the temporary files and leaves every existing target as it
 * was; a failure while renaming puts back the targets already replaced (from hard-link backups). CliError
 * naming the option and the reason.
 */
export function writeOutputs(cmd: string, files: readonly OutputFile[]): void {
  const temps: string[] = [];
  try {
    for (const f of files) {
      const tmp = tempBeside(f.path, 'tmp');
      try {
        writeFileSync(tmp, f.data, { flag: 'wx' });
      } catch (e) {
        removeQuietly(tmp);
        throw new CliError(`${cmd}: cannot write --${f.option} '${f.path}' (${errno(e)}); no file was changed`);
      }
      temps.push(tmp);
    }
  } catch (e) {
    temps.forEach(removeQuietly);
    throw e;
  }
  // all written: keep a hard link to each old target, so that a failed rename can be undone
  const backups = files.map((f) => {
    if (!existsSync(f.path)) return null;
    const b = tempBeside(f.path, 'old');
    try { linkSync(f.path, b); return b; } catch { return null; }
  });
  let done = 0;
  try {
    for (; done < files.length; done++) renameSync(temps[done], files[done].path);
  } catch (e) {
    for (let i = 0; i < done; i++) {
      const b = backups[i];
      if (b) { try { renameSync(b, files[i].path); } catch { /* keep going */ } } else removeQuietly(files[i].path);
    }
    temps.slice(done).forEach(removeQuietly);
    throw new CliError(`${cmd}: cannot write --${files[done].option} '${files[done].path}' (${errno(e)}); no file was changed`);
  } finally {
    for (const b of backups) if (b && existsSync(b)) removeQuietly(b);
  }
}

/**
 * Checks, before any work starts, the files a command will read and write (options named in `paths.inputs`
 * and `paths.outputs`, skipped when not given): an input must exist and be a readable file; an output must
 * not be a folder, its folder must exist and be writable, and two outputs must not name the same file.
 * CliError naming the option and the reason, so that minutes of training are not lost to a typo.
 */
export function checkPaths(cmd: string, values: Values, paths: { inputs?: readonly string[]; outputs?: readonly string[] }): void {
  for (const option of paths.inputs ?? []) {
    const path = values[option];
    if (typeof path !== 'string') continue;
    let st;
    try { st = statSync(path); } catch (e) { throw new CliError(`${cmd}: --${option} '${path}' ${errno(e) === 'ENOENT' ? 'does not exist' : `cannot be read (${errno(e)})`}`); }
    if (st.isDirectory()) throw new CliError(`${cmd}: --${option} '${path}' is a folder, not a file`);
    try { accessSync(path, constants.R_OK); } catch (e) { throw new CliError(`${cmd}: cannot read --${option} '${path}' (${errno(e)})`); }
  }
  const seen = new Map<string, string>();
  for (const option of paths.outputs ?? []) {
    const path = values[option];
    if (typeof path !== 'string') continue;
    if (path === '') throw new CliError(`${cmd}: --${option} is empty`);
    const full = resolve(path);
    const other = seen.get(full);
    if (other) throw new CliError(`${cmd}: --${option} and --${other} name the same file '${path}'`);
    seen.set(full, option);
    if (existsSync(path) && statSync(path).isDirectory()) throw new CliError(`${cmd}: --${option} '${path}' is a folder; name a file`);
    const dir = dirname(full);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${cmd}: --${option} '${path}': the folder '${dirname(path)}' does not exist`);
    try { accessSync(dir, constants.W_OK); } catch (e) { throw new CliError(`${cmd}: --${option} '${path}': the folder '${dirname(path)}' is not writable (${errno(e)})`); }
  }
}
