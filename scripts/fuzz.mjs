// The large fuzz campaign (issue 13, item 7): the corpus of test/fuzz (built into dist/test/fuzz by `npm run
// build`) at ≥ 100,000 inputs, in worker threads with a watchdog, printing the counts the issue asks for:
// typed errors, other exceptions, hangs over 2 s, silent non-finite outputs, memory growth.
//   node scripts/fuzz.mjs [--count 100000] [--seed 13] [--workers 2] [--limit-ms 2000]
// Each worker runs slices of one target; a worker that sends no heartbeat for 10 s is stopped and its input
// counted as a hang (then the slice resumes after it). Run it niced on a shared machine: nice -n 10 node …
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, seed: { type: 'string', default: '13' },
  workers: { type: 'string', default: '2' }, 'limit-ms': { type: 'string', default: '2000' }, slice: { type: 'string', default: '2000' } } });
const count = Number(values.count), seed = Number(values.seed), workers = Number(values.workers), limitMs = Number(values['limit-ms']);
const sliceSize = Number(values.slice);
const campaignUrl = new URL('../dist/test/fuzz/campaign.js', import.meta.url).href;
const initUrl = new URL('../dist/src/index.js', import.meta.url).href;
const { plan, emptyCounts } = await import(campaignUrl);

const jobs = [];
for (const [target, n] of plan(count)) for (let from = 0; from < n; from += sliceSize) jobs.push({ target, from, to: Math.min(n, from + sliceSize) });
const total = emptyCounts();
let hangs = 0;
const hangSamples = [];
const rss0 = process.memoryUsage().rss;
let rssMax = rss0;

const code = `
  import { parentPort, workerData } from 'node:worker_threads';
  const { init } = await import(${JSON.stringify(initUrl)});
  const { runRange, emptyCounts } = await import(${JSON.stringify(campaignUrl)});
  const { wasmHeapBytes } = await import(${JSON.stringify(new URL('../dist/src/runtime/storage.js', import.meta.url).href)});
  await init();
  for (const t of ['npy', 'npz-small', 'safetensors', 'options']) runRange(t, 0, 50, workerData.seed + 1, 1e9, emptyCounts()); // warm-up
  parentPort.on('message', (job) => {
    const c = emptyCounts();
    const live0 = wasmHeapBytes().live;
    runRange(job.target, job.from, job.to, workerData.seed, workerData.limitMs, c, (i) => parentPort.postMessage({ beat: i }));
    c.wasmLiveGrowth = wasmHeapBytes().live - live0;
    parentPort.postMessage({ done: c, rss: process.memoryUsage().rss });
  });
  parentPort.postMessage({ ready: true });`;

function merge(c) {
  total.inputs += c.inputs; total.slow += c.slow; total.maxMs = Math.max(total.maxMs, c.maxMs); total.wasmLiveGrowth += c.wasmLiveGrowth;
  for (const k of Object.keys(c.byKind)) total.byKind[k] += c.byKind[k];
  for (const [w, kinds] of Object.entries(c.byWhere)) { const t = (total.byWhere[w] ??= {}); for (const [k, v] of Object.entries(kinds)) t[k] = (t[k] ?? 0) + v; }
  for (const s of c.samples) if (total.samples.filter((x) => x.where === s.where && x.kind === s.kind && x.detail !== 'slow').length < 3 || s.detail === 'slow') total.samples.push(s);
}

const t0 = Date.now();
async function lane() {
  for (;;) {
    const job = jobs.shift();
    if (!job) return;
    await new Promise((resolve) => {
      const w = new Worker(code, { eval: true, type: 'module', workerData: { seed, limitMs } });
      let last = job.from - 1, beat = Date.now();
      const dog = setInterval(() => {
        if (Date.now() - beat < 10_000) return;
        clearInterval(dog);
        hangs++;
        hangSamples.push({ target: job.target, index: last + 1 });
        void w.terminate();
        if (last + 2 < job.to) jobs.unshift({ target: job.target, from: last + 2, to: job.to });
        resolve();
      }, 1000);
      w.on('message', (m) => {
        if (m.ready) w.postMessage(job);
        else if (m.beat !== undefined) { last = m.beat; beat = Date.now(); }
        else if (m.done) { merge(m.done); rssMax = Math.max(rssMax, m.rss); clearInterval(dog); void w.terminate(); resolve(); }
      });
      w.on('error', (e) => { clearInterval(dog); total.samples.push({ kind: 'other', target: job.target, index: last + 1, where: 'worker', detail: String(e) }); if (last + 2 < job.to) jobs.unshift({ target: job.target, from: last + 2, to: job.to }); resolve(); });
    });
    process.stderr.write(`\rfuzz: ${total.inputs} inputs, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}
await Promise.all(Array.from({ length: workers }, lane));
process.stderr.write('\n');
const lead = total.byWhere.safetensors?.nonfinite ?? 0;
const report = {
  inputs: total.inputs + hangs, seed, seconds: Math.round((Date.now() - t0) / 1000),
  typedErrors: total.byKind.typed, validResults: total.byKind.ok, otherExceptions: total.byKind.other,
  hangsOver2s: total.slow + hangs, watchdogStops: hangs, slowestMs: Math.round(total.maxMs),
  silentNonFinite: total.byKind.nonfinite - lead, silentNonFiniteInModelForward: lead,
  wasmLiveBytesGrowth: total.wasmLiveGrowth, workerRssMaxMiB: Math.round(rssMax / 2 ** 20),
};
console.log(JSON.stringify(report, null, 1));
console.log('by target / function:', JSON.stringify(total.byWhere));
if (total.samples.length || hangSamples.length) console.log('samples (replay: runCase(target, index, seed) in dist/test/fuzz/runner.js):', JSON.stringify([...total.samples, ...hangSamples], null, 1));
