// The per-runtime examples shown in docs/runtimes.md (the README's runtime section) are, verbatim, the
// files under examples/ that runtimes.test.ts runs in each runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [relative(root, p)];
  });
}

test('docs/runtimes.md shows every file under examples/ verbatim, each in its own code block', () => {
  const doc = readFileSync(join(root, 'docs', 'runtimes.md'), 'utf8');
  const examples = files(join(root, 'examples'));
  assert.ok(examples.length >= 8, `found only ${examples.length} example files`);
  const missing = examples.filter((f) => !new RegExp('```\\w*\\n' + escape(readFileSync(join(root, f), 'utf8').trimEnd()) + '\\n```').test(doc));
  assert.deepEqual(missing, [], 'these examples are not shown as they are in docs/runtimes.md');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
