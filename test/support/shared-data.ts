// The real graphs in the shared data folder beside the checkout (its README.md lists them). Tests that need
// them skip when the folder is missing on a developer machine, but FAIL under CI (any CI value but '', 'false', '0'): CI must never
// pass by silently skipping them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** Repository root, from this compiled file (dist/test/support/shared-data.js). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of ../shared/data/<file> relative to the repository root. */
export function sharedDataPath(file: string): string {
  return fileURLToPath(new URL(`../shared/data/${file}`, new URL('../../../', import.meta.url)));
}

/**
 * The path of a shared graph, or null after marking the test skipped (locally) — under CI=true a
 * missing file throws, so the test fails.
 */
export function requireSharedData(t: TestContext, file: string): string | null {
  const path = sharedDataPath(file);
  if (existsSync(path)) return path;
  const ci = process.env.CI;
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') {
    throw new Error(`${path} is missing: CI must run the real-graph tests (provide ../shared/data beside the checkout)`);
  }
  t.skip(`${path} is missing (set CI=true to make this a failure)`);
  return null;
}
