// Code comments cite docs/theory.md by section anchor (e.g. docs/theory.md#9-theorem-42--almost-low-rank): every anchor
// cited anywhere in src/, test/, experiments/, bench/ and docs/ must name a heading of docs/theory.md, so a renamed
// section cannot leave a dead citation behind. Folders already moved off the unshipped "THEORY.md" must not cite it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'results' ? [] : files(p);
    return /\.(ts|mjs|md|sh|py)$/.test(name) ? [p] : [];
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped (letters, digits, '-', '_' and spaces kept), spaces → '-'. */
export function githubAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
}

const theory = readFileSync(join(root, 'docs', 'theory.md'), 'utf8');
const anchors = new Set([...theory.matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubAnchor(m[1])));

test('githubAnchor follows GitHub on the headings docs/theory.md uses', () => {
  assert.equal(githubAnchor('9. Theorem 4.2 — almost low rank'), '9-theorem-42--almost-low-rank');
  assert.equal(githubAnchor('4. Theorem 3.3 — JL on W_Q and W_K'), '4-theorem-33--jl-on-w_q-and-w_k');
  assert.equal(githubAnchor('12. `minimalWidth`'), '12-minimalwidth');
  assert.equal(githubAnchor('16. Shared lemmas (L1 to L7)'), '16-shared-lemmas-l1-to-l7');
});

test('every docs/theory.md anchor cited in the repository names a heading of docs/theory.md', () => {
  const cited: { file: string; anchor: string }[] = [];
  for (const dir of ['src', 'test', 'experiments', 'bench', 'docs', 'scripts']) {
    for (const f of files(join(root, dir))) {
      const text = readFileSync(f, 'utf8');
      const local = f.endsWith(join('docs', 'theory.md'));
      for (const m of text.matchAll(/theory\.md#([\p{L}\p{N}_-]+)/gu)) cited.push({ file: relative(root, f), anchor: m[1] });
      if (local) for (const m of text.matchAll(/\]\(#([\p{L}\p{N}_-]+)\)/gu)) cited.push({ file: relative(root, f), anchor: m[1] });
    }
  }
  assert.ok(cited.length >= 100, `found ${cited.length} citations`);
  const dead = cited.filter((c) => !anchors.has(c.anchor));
  assert.deepEqual(dead, [], `dead anchors: ${dead.map((d) => `${d.file}: #${d.anchor}`).join(', ')}`);
});

test('the repository cites the paper and docs/theory.md, never the unshipped THEORY.md nor a path of the shared folder', () => {
  const self = fileURLToPath(import.meta.url).replace(/dist[\\/]test/, 'test').replace(/\.js$/, '.ts');
  const offenders: string[] = [];
  const all = [...['src', 'test', 'experiments', 'docs', 'scripts', 'bench', 'examples', 'assembly'].flatMap((d) => files(join(root, d))), join(root, 'README.md')];
  for (const f of all) {
    if (f === self) continue;
    const text = readFileSync(f, 'utf8');
    if (/THEORY(\.md)?\b/.test(text) || /\/work\/shared|\.\.\/shared\/THEORY/.test(text)) offenders.push(relative(root, f));
  }
  assert.deepEqual(offenders, []);
});
