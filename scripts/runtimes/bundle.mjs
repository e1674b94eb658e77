// Builds dist/browser/narrowgt.js: the library entry and its dependencies (fflate's browser
// build, @noble/hashes) in one minified ES module, for a page's <script type="module"> or a module Web Worker without
// a bundler; and dist/browser/narrowgt-slim.js, the same from the slim entry (no embedded kernels: init()
// takes the module, e.g. compiled with `compileStreaming` from kernels.wasm). Platform-neutral, so a Node
// built-in reachable from the entry fails the build.
// Class names are kept: the error classes set `name` from them. Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** esbuild options shared with test/runtimes/bundle.test.ts and sizes.mjs (which build in memory to measure). */
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

/** The same for the slim entry (dist/src/slim.js). */
export const slimBundleOptions = { ...libraryBundleOptions, entryPoints: ['dist/src/slim.js'] };

if (import.meta.url === `file://${process.argv[1]}`) {
  // No source maps: the bundles ship as they are (a map of a minified bundle with its sources inlined is 3× its size).
  await build({ ...libraryBundleOptions, outfile: 'dist/browser/narrowgt.js' });
  await build({ ...slimBundleOptions, outfile: 'dist/browser/narrowgt-slim.js' });
}
