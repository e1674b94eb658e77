// Builds dist/browser/narrowgt.js: the library entry and its dependencies (ml-matrix, fflate's browser
// build) in one minified ES module, for a page's <script type="module"> or a module Web Worker without
// a bundler. Platform-neutral, so a Node built-in reachable from the entry fails the build.
// Class names are kept: the error classes set `name` from them. Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** esbuild options shared with test/runtimes/bundle.test.ts (which builds in memory to measure). */
export const libraryBundleOptions = {
  absWorkingDir: root,
  entryPoints: ['dist/src/index.js'],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  minify: true,
  keepNames: true,
  metafile: true,
  logLevel: 'silent',
};

if (import.meta.url === `file://${process.argv[1]}`) {
  await build({ ...libraryBundleOptions, outfile: 'dist/browser/narrowgt.js', sourcemap: 'linked' });
}
