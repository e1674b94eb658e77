// npm run bench [-- --filter SUITE_OR_SUBSTRING] [--json] [--clock wall|cpu] [--rounds N] [--threads N]
// Times narrowgt's kernels beside their in-process peers (tinybench) and prints a table, or with --json
// the results with the runtime, narrowgt version and CPU model. Progress goes to stderr.
// narrowgt runs on one thread unless --threads says otherwise (default 1): the in-process peers are single-threaded
// JavaScript, and the 'cpu' clock sums the CPU time of every thread of the process (bench/threads/ measures threads).
// Native peers (PyTorch, SciPy, scikit-learn) are measured by scripts/bench-native.sh, never here.
import { init, backend, threadInfo } from '../src/index.js';
import { runSuites, runMeta, formatTable, type Suite, type Clock } from './harness.js';
import { attentionSuite } from './attention.js';
import { gemmSuite } from './gemm.js';
import { linalgSuite } from './linalg.js';
import { modelSuite } from './model.js';

const SUITES: Suite[] = [attentionSuite, gemmSuite, linalgSuite, modelSuite];

function parseArgs(argv: string[]): { filter?: string; json: boolean; clock: Clock; rounds: number; threads: number } {
  let filter: string | undefined, json = false, clock: Clock = 'wall', rounds = 1, threads = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--clock' || a.startsWith('--clock=')) {
      const c = a === '--clock' ? argv[++i] : a.slice('--clock='.length);
      if (c !== 'wall' && c !== 'cpu') throw new Error(`bench: --clock must be wall or cpu, got ${c}`);
      clock = c;
    } else if (a === '--rounds' || a.startsWith('--rounds=')) {
      rounds = Number(a === '--rounds' ? argv[++i] : a.slice('--rounds='.length));
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: --rounds must be a positive integer, got ${rounds}`);
    }
    else if (a === '--threads' || a.startsWith('--threads=')) {
      threads = Number(a === '--threads' ? argv[++i] : a.slice('--threads='.length));
      if (!Number.isInteger(threads) || threads < 1) throw new Error(`bench: --threads must be a positive integer, got ${threads}`);
    }
    else if (a === '--filter') filter = argv[++i];
    else if (a.startsWith('--filter=')) filter = a.slice('--filter='.length);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`usage: npm run bench -- [--filter SUBSTRING] [--json] [--clock wall|cpu] [--rounds N] [--threads N]\n  suites: ${SUITES.map((s) => s.name).join(', ')}\n`);
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${a} (try --help)`);
  }
  return { filter, json, clock, rounds, threads };
}

const { filter, json, clock, rounds, threads } = parseArgs(process.argv.slice(2));
if ((await init(undefined, { threads })) !== 'wasm-simd') throw new Error(`bench: the WASM SIMD kernels did not load (backend ${backend()})`);
if (threadInfo().threads !== threads) process.stderr.write(`bench: asked for ${threads} threads, running ${threadInfo().threads} (${threadInfo().reason ?? 'no reason given'})\n`);
const chosen = SUITES.filter((s) => !filter || s.name === filter || !SUITES.some((t) => t.name === filter));
const meta = runMeta(clock, rounds);
const { results, ratios, notes } = await runSuites(chosen, SUITES.some((s) => s.name === filter) ? undefined : filter, clock, rounds);
if (json) process.stdout.write(`${JSON.stringify({ meta, results, ratios, notes }, null, 2)}\n`);
else process.stdout.write(`${formatTable(results, ratios, notes, meta)}\n`);
