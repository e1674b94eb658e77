// narrowgt/node — the Node-only helpers: reading graphs from disk and locating the bundled graph.
// Kept apart from the main entry so that src/index.ts never reaches a Node built-in.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../runtime/errors.js';
import { decodeGraph, type LoadGraphOptions, type LoadedGraph } from '../data/load-graph.js';

export type { LoadGraphOptions, LoadedGraph } from '../data/load-graph.js';

/**
 * Reads an .npz graph file from disk and decodes it with loadGraph (see there for the layouts).
 * `options.name` defaults to the file name without '.npz'. Synchronous: the whole file is read at once.
 * Cost: one read of the file plus loadGraph's O(file size + m log d).
 * Throws InputError when the path is not a string or cannot be read (the message carries the system
 * error), and what loadGraph throws for the contents (messages then start with 'loadGraphFile').
 */
export function loadGraphFile(path: string, options: LoadGraphOptions = {}): LoadedGraph {
  if (typeof path !== 'string' || path === '') throw new InputError('loadGraphFile: path must be a non-empty string');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`loadGraphFile: cannot read path '${path}': ${(e as Error).message}`);
  }
  return decodeGraph('loadGraphFile', bytes, { ...options, name: options.name ?? basename(path).replace(/\.npz$/i, '') });
}

/**
 * The absolute path of the graph shipped inside the package: data/minesweeper.npz (Platonov et al. 2023,
 * MIT licence, see data/README.md). Resolved from this compiled file (dist/src/node/index.js → ../../../data).
 */
export function bundledGraphPath(): string {
  return fileURLToPath(new URL('../../../data/minesweeper.npz', import.meta.url));
}
