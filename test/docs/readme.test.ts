import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('every ```js example in README.md runs as written (importing the package by its name)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1, 'README has at least one js example');
  // inside the package folder, `import … from 'narrowgt'` resolves to this package through its exports map
  const dir = join(root, '.cache', 'readme-examples');
  mkdirSync(dir, { recursive: true });
  try {
    blocks.forEach((code, i) => {
      const file = join(dir, `example-${i}.mjs`);
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', cwd: root });
      assert.equal(r.status, 0, `README example ${i} failed:\n${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /NaN|undefined/, `example ${i} printed NaN/undefined`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
