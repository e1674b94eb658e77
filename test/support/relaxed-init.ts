// Preloaded (node --import) by scripts/run-tests.mjs in its relaxed-SIMD pass: the first init() of a process decides
// its kernels, and with more than one thread init() loads the shared-memory build, which is plain SIMD
// (docs/runtimes.md, "Threads"). So the pass loads the relaxed build first, on one thread, and every later init()
// of the test files returns that backend; test/support/backends.ts then checks the build is the relaxed one.
import { init } from '../../src/index.js';

await init(undefined, { simd: 'relaxed', threads: 1 });
