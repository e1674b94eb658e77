// Node 20, Deno and Bun: each runs the node:test file dist/test/runtimes/suite.js as it is, its own example from
// examples/, and the thread-pool check dist/test/runtimes/threads-run.js (2 threads over a shared memory, the same
// bits as 1). The kernels come from the embedded bytes; Deno gets no permission at all.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, parseOutcomes, root, sandboxEnv, workDir } from './env.mjs';

const SUITE = 'dist/test/runtimes/suite.js';
const THREADS = 'dist/test/runtimes/threads-run.js';
const TIMEOUT_MS = 180_000;

function run(command, args, env) {
  const r = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 16 << 20 });
  const log = `$ ${[command, ...args].join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { exitCode: r.status, log, stdout: r.stdout ?? '' };
}

/** The example's one line of output (its last non-empty stdout line). */
const lastLine = (text) => text.trim().split('\n').at(-1) ?? '';

function commands(runtime) {
  switch (runtime) {
    case 'node':
      return {
        suite: [process.execPath, ['--test', '--test-reporter=spec', SUITE]],
        threads: [process.execPath, [THREADS]],
        example: ['examples/node/main.mjs', [process.execPath, ['examples/node/main.mjs']]],
      };
    case 'deno': {
      // The example imports 'npm:narrowgt' as a user's would; this import map points it at this build.
      const map = join(workDir('deno'), 'import_map.json');
      mkdirSync(workDir('deno'), { recursive: true });
      writeFileSync(map, JSON.stringify({ imports: { 'npm:narrowgt': pathToFileURL(join(root, 'dist/src/index.js')).href } }));
      return {
        // --no-check: the suite is tsc's output; deno would type-check it again against every .d.ts (seconds).
        suite: [bin('deno'), ['test', '--no-check', '--no-prompt', '--no-lock', SUITE]],
        threads: [bin('deno'), ['run', '--no-check', '--no-prompt', '--no-lock', THREADS]],
        example: ['examples/deno/main.ts', [bin('deno'), ['run', '--no-prompt', '--no-lock', `--import-map=${map}`, 'examples/deno/main.ts']]],
      };
    }
    case 'bun':
      return {
        suite: [bin('bun'), ['test', `./${SUITE}`]], // `bun test` treats a bare name as a filter; ./ names the file
        threads: [bin('bun'), [THREADS]],
        example: ['examples/bun/main.ts', [bin('bun'), ['examples/bun/main.ts']]],
      };
    default:
      throw new Error(`local.mjs: unknown runtime ${runtime}`);
  }
}

/** The verdict on threads-run.js's line: 2 threads over a shared memory, jobs split, every result the same bits. */
export function judgeThreads(target, r) {
  const problems = [];
  const line = r.stdout.split('\n').find((l) => l.startsWith('narrowgt-threads '));
  let got = null;
  try { got = line ? JSON.parse(line.slice('narrowgt-threads '.length)) : null; } catch { /* reported below */ }
  if (r.exitCode !== 0) problems.push(`exited with ${r.exitCode}`);
  if (!got) problems.push('printed no narrowgt-threads line');
  else if (got.error) problems.push(got.error);
  else {
    if (got.info?.threads !== 2 || got.info?.sharedMemory !== true) problems.push(`threadInfo() is ${JSON.stringify(got.info)}, not 2 threads over a shared memory`);
    if (!(got.jobs > 0)) problems.push(`no call was split over the pool (${got.jobs} jobs)`);
    if (!Array.isArray(got.same) || got.same.length !== 7 || !got.same.every(Boolean)) problems.push(`2 threads differ from 1 (GEMM f32, f64, attention, weights, dQ, dK, dV): ${JSON.stringify(got.same)}`);
  }
  return { target, log: r.log, problems, summary: got && !got.error ? `2 threads over a shared memory, ${got.jobs} jobs, GEMM, attention and its backward the same bits as 1 thread` : '' };
}

/** Runs the suite, the example and the thread-pool check in `runtime` ('node' | 'deno' | 'bun'). */
export function runLocal(runtime) {
  const env = sandboxEnv(runtime);
  const { suite, example, threads } = commands(runtime);
  const s = run(suite[0], suite[1], env);
  const e = run(example[1][0], example[1][1], env);
  const t = run(threads[0], threads[1], env);
  return {
    suites: [{ target: runtime, exitCode: s.exitCode, outcomes: parseOutcomes(s.stdout), log: s.log }],
    examples: [{ target: `${runtime} ${example[0]}`, exitCode: e.exitCode, text: lastLine(e.stdout), log: e.log }],
    builds: [judgeThreads(`${runtime} threads`, t)],
  };
}
