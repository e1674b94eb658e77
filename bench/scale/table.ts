// Prints the scale benchmark's markdown tables for docs/performance.md "Scale" from saved results (bench/scale/format.ts):
//   node dist/bench/scale/table.js bench/results/scale-NAME.json [more.json …] [--clock wall] [--ticks]
// Several files merge (a case measured in two keeps the later file's); --clock wall prints wall time at 1 thread too;
// --ticks adds the busiest-thread columns (CPU ticks of the busiest thread per run, 1 thread over t: the speed-up
// free cores would give, for a run on a loaded machine).
import { readFileSync } from 'node:fs';
import { formatTables, merge, type ScaleFile } from './format.js';

const argv = process.argv.slice(2);
const ci = argv.indexOf('--clock');
const clock = ci >= 0 ? argv[ci + 1] : 'cpu';
if (clock !== 'cpu' && clock !== 'wall') throw new Error(`scale table: --clock is cpu or wall, got ${clock}`);
const files = argv.filter((a, i) => !a.startsWith('--') && (ci < 0 || i !== ci + 1));
if (!files.length || argv.includes('--help')) {
  process.stdout.write('usage: node dist/bench/scale/table.js FILE.json [FILE.json …] [--clock cpu|wall] [--ticks]\n');
  process.exit(files.length ? 0 : 1);
}
const parsed = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ScaleFile);
process.stdout.write(`${formatTables(merge(parsed), { clock, ticks: argv.includes('--ticks') })}\n`);
