// The import structure docs/architecture.md states, checked on the source: every src/ file's relative imports stay
// inside the folders its folder may import (arrows run down), and no chain of imports comes back to where it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = join(root, 'src');
const walk = (d: string): string[] => readdirSync(d).flatMap((n) => {
  const p = join(d, n);
  return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
});
const files = walk(src);

/** Relative imports and re-exports of a file (static and `import('…')` with a literal), as .ts paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*((?:import|export)[^'"\n;]*?)from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    out.push(resolve(dirname(file), m[2] ?? m[3]).replace(/\.js$/, '.ts'));
  }
  return out;
}

/** The folder a file belongs to for the layering rule: src/<folder>, src/compress/<part>, or a top-level entry file. */
function unit(file: string): string {
  const parts = relative(src, file).split(/[\\/]/);
  if (parts.length === 1) return parts[0];
  return parts[0] === 'compress' ? `compress/${parts[1]}` : parts[0];
}

const results = ['compress/thm-3.3-jl', 'compress/prop-4.1-exact', 'compress/thm-4.2-almost-low-rank', 'compress/prop-4.3-leverage', 'compress/thm-4.4-clusters'];
const below = {
  runtime: [], twin: [], random: ['runtime'],
  linalg: ['runtime', 'twin', 'random'], graph: ['runtime', 'twin', 'random'],
  attention: ['runtime', 'twin', 'linalg', 'graph'], data: ['runtime', 'random', 'linalg', 'graph'],
} as Record<string, string[]>;
below.model = ['runtime', 'twin', 'random', 'linalg', 'graph', 'attention', 'data'];
below.train = [...below.model, 'model'];
below.io = [...below.model, 'model'];
below['compress/framework'] = [...below.model, 'model'];
below['compress/shared'] = [...below['compress/framework'], 'compress/framework'];
for (const r of results) below[r] = [...below['compress/shared'], 'compress/shared'];
below['compress/practical'] = [...below['compress/shared'], 'compress/shared', 'compress/thm-4.4-clusters', 'train'];
below['compress/workflows'] = [...below['compress/practical'], 'compress/practical', ...results];
below['index.ts'] = [...new Set([...below['compress/workflows'], 'compress/workflows', 'io'])];
below['slim.ts'] = ['index.ts', 'runtime'];
below.node = ['runtime', 'data'];
below.cli = ['index.ts', 'node'];

test('every src/ import runs down: a folder imports only the folders docs/architecture.md lists below it', () => {
  const wrong: string[] = [];
  for (const f of files) {
    const from = unit(f);
    assert.ok(from in below, `${relative(root, f)}: folder ${from} has no rule (add it to docs/architecture.md and this test)`);
    for (const g of imports(f)) {
      assert.ok(files.includes(g), `${relative(root, f)} imports ${relative(root, g)}, which is not a source file`);
      const to = unit(g);
      if (to !== from && !below[from].includes(to)) wrong.push(`${relative(root, f)} → ${relative(root, g)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no import circle among the src/ files, type-only imports included', () => {
  const graph = new Map(files.map((f) => [f, imports(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    state.set(f, 'open');
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') circles.push([...path.slice(path.indexOf(g)), g].map((p) => relative(src, p)).join(' → '));
      else if (!state.has(g)) visit(g, [...path, g]);
    }
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(circles, []);
});
