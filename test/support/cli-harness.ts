// The CLI as the tests drive it: a scratch folder, a small graph file, the executable in its own process, and the
// same command line in this process (runCli is what main.js runs).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.js';
import { encodeNpz, npy } from './npy-encode.js';

/** A new scratch folder and a function giving paths inside it. */
export function scratch(prefix: string): { dir: string; at: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, at: (name: string): string => join(dir, name) };
}

/**
 * Writes a small heterophilous-layout graph (Platonov et al. layout, data/README.md) to `path`: n nodes on a ring
 * with chords (i → i+1, i → i+17), 3 features, binary labels from the features of the neighbours, one split
 * 50/25/25.
 */
export function writeRingGraph(path: string, n = 120): void {
  const feats: number[] = [], labels: number[] = [], edges: number[] = [];
  for (let i = 0; i < n; i++) feats.push(Math.sin(i), Math.cos(3 * i), (i % 7) / 7);
  for (let i = 0; i < n; i++) { edges.push(i, (i + 1) % n, i, (i + 17) % n); }
  for (let i = 0; i < n; i++) labels.push(feats[3 * ((i + 1) % n)] + feats[3 * ((i + 17) % n) + 1] > 0 ? 1 : 0);
  const part = (i: number): number => (i % 4 < 2 ? 0 : i % 4 === 2 ? 1 : 2);
  const mask = (p: number): number[] => Array.from({ length: n }, (_, i) => (part(i) === p ? 1 : 0));
  writeFileSync(path, encodeNpz({
    node_features: npy.f4([n, 3], feats), node_labels: npy.i8([n], labels), edges: npy.i8([2 * n, 2], edges),
    train_masks: npy.b1([1, n], mask(0)), val_masks: npy.b1([1, n], mask(1)), test_masks: npy.b1([1, n], mask(2)),
  }, 6));
}

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** The real executable in its own process (exit code, stderr as a user sees them). */
export function spawn(...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
}

/** The same command line in this process: fast, so most cases use it. */
export async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, write = process.stderr.write;
  console.log = (...a: unknown[]) => { out.push(a.map(String).join(' ') + '\n'); };
  process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const status = await runCli(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}
