// Mutation testing of the constructions and their certificates (issue 16, item 6): apply each plausible bug of
// scripts/mutation/mutants.mjs to a private copy of the repository, one at a time, rebuild the TypeScript, run the
// mutant's test files, and report which mutants the suite catches. Not part of `npm test` (it takes tens of minutes).
//
//   node scripts/mutation/run.mjs [--only id,id] [--filter sub,sub] [--jobs 1] [--json out.json] [--markdown]
//                                 [--timeout 600] [--bail] [--no-baseline] [--keep] [--check] [--list] [--mutants file]
//                                 [--merge earlier.json] [--render earlier.json]
//
// The user's checkout is never modified: the files git lists (tracked, and untracked but not ignored, so uncommitted
// edits are included) are copied into a temporary folder with node_modules symlinked, built once with `npm run build`,
// and every mutant is applied to the copy's TypeScript source, compiled with `tsc -p tsconfig.json --sourceMap false`
// (the wasm kernels are not rebuilt: no mutant touches assembly/) and restored afterwards.
//
// Each mutant names a file, an exact `find` string that must occur exactly once in it (the runner refuses the whole
// list otherwise, so the list cannot silently rot when the code changes), its `replace`ment, a one-line description
// and the test filters to run (substrings of dist/test paths, default ['test/compress']).
// Verdicts: caught (a test file failed), survived (all passed), compile-error (tsc rejected the mutant — caught by
// the compiler, listed separately), timeout (the tests did not finish within --timeout seconds; the process group is
// killed). Before the mutants, a baseline run of every selected test file on the unmutated copy must pass, else a
// failure would be mistaken for a catch. NARROWGT_FC_RUNS is removed from the tests' environment (the default
// fast-check run counts); FC_SEED is passed through (default 42). Run it niced on a shared machine: nice -n 10 node …
//
// Options:
//   --only id,id      run only these mutants        --filter a,b   replace every mutant's test filters by these
//   --jobs N          N copies in parallel (default 1)            --timeout S   per mutant test time limit (default 600)
//   --json FILE       write the results as JSON      --markdown     print the results as the Markdown of docs/theory.md
//   --bail            stop a mutant's tests at the first failing file (faster; "caught by" lists only that file)
//   --no-baseline     skip the baseline run          --keep         keep the temporary copies (their paths are printed)
//   --check           only validate the mutant list (no copy, no build)   --list   print the list and exit
//   --mutants FILE    another list (.mjs exporting `mutants`, or .json array)
//   --merge FILE      start from an earlier --json report: its results for mutants not run now (and not changed since)
//                     are kept, so `--only <survivors> --merge old.json --json new.json --markdown` refreshes a table
//   --survivors       with --merge: run only the mutants the earlier report has not caught (survived, timed out,
//                     changed or new) — after adding tests: `--survivors --merge r.json --json r.json --markdown`
//   --render FILE     print an earlier --json report (with --markdown: the table) without running anything
// Exit status: 0 when the run completed (whatever the verdicts), 2 when the list is refused or the baseline fails.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));

const { values: opt } = parseArgs({
  options: {
    only: { type: 'string' }, filter: { type: 'string' }, jobs: { type: 'string', default: '1' }, json: { type: 'string' },
    markdown: { type: 'boolean', default: false }, timeout: { type: 'string', default: '600' }, bail: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false }, check: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false }, mutants: { type: 'string' }, merge: { type: 'string' }, render: { type: 'string' },
    survivors: { type: 'boolean', default: false },
  },
});

function refuse(lines) {
  console.error(`mutation: refused:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  process.exit(2);
}

/** Occurrences of `needle` in `text` (non-overlapping). */
function countOccurrences(text, needle) {
  if (needle.length === 0) return Infinity;
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Test files of the compiled tree, as dist/test/... paths relative to the repository, from the TypeScript sources. */
function testFilesFromSource(base) {
  const walk = (d) => readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
  const dir = join(base, 'test');
  if (!existsSync(dir)) return [];
  return walk(dir).map((p) => join('dist', relative(base, p)).replace(/\.ts$/, '.js').split(sep).join('/')).sort();
}

async function loadMutants(file) {
  const path = resolve(file);
  if (!existsSync(path)) refuse([`mutant list ${file} does not exist`]);
  if (path.endsWith('.json')) return JSON.parse(readFileSync(path, 'utf8'));
  const mod = await import(pathToFileURL(path).href);
  if (!Array.isArray(mod.mutants)) refuse([`${file} does not export an array \`mutants\``]);
  return mod.mutants;
}

/**
 * Every problem with the list: ids unique and simple, files inside the repository and present, `find` occurring
 * exactly once, `replace` different from it, a description, and filters that select at least one test file.
 */
function validate(mutants, base) {
  const problems = [];
  const ids = new Set();
  const tests = testFilesFromSource(base);
  for (const [i, m] of mutants.entries()) {
    const name = typeof m?.id === 'string' ? m.id : `#${i}`;
    if (typeof m?.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(m.id)) problems.push(`${name}: id must be lower-case letters, digits and dashes`);
    if (ids.has(m?.id)) problems.push(`${name}: duplicate id`);
    ids.add(m?.id);
    for (const key of ['file', 'find', 'replace', 'description']) {
      if (typeof m?.[key] !== 'string') problems.push(`${name}: '${key}' must be a string`);
    }
    if (typeof m?.file !== 'string' || typeof m?.find !== 'string' || typeof m?.replace !== 'string') continue;
    if (isAbsolute(m.file) || m.file.split(/[\\/]/).includes('..')) { problems.push(`${name}: file must be a path inside the repository`); continue; }
    if (m.find === m.replace) problems.push(`${name}: replace equals find`);
    if (/\.(test\.ts|md)$/.test(m.file) || m.file.startsWith('test/')) problems.push(`${name}: mutants change the code under test, not the tests (${m.file})`);
    const path = join(base, m.file);
    if (!existsSync(path)) { problems.push(`${name}: ${m.file} does not exist`); continue; }
    const n = countOccurrences(readFileSync(path, 'utf8'), m.find);
    if (n !== 1) problems.push(`${name}: find string occurs ${n} times in ${m.file} (must be exactly once): ${JSON.stringify(m.find.slice(0, 80))}`);
    const filters = m.tests ?? ['test/compress'];
    if (!Array.isArray(filters) || filters.length === 0 || filters.some((f) => typeof f !== 'string' || f === '')) {
      problems.push(`${name}: tests must be a non-empty array of path substrings`);
    } else {
      for (const f of filters) if (!tests.some((t) => t.includes(f))) problems.push(`${name}: test filter '${f}' matches no test file`);
    }
  }
  return problems;
}

/** The test files (dist/test/... relative paths) a mutant runs: its filters, in the order given, without repeats. */
function filesFor(filters, all) {
  const out = [];
  for (const f of filters) for (const t of all) if (t.includes(f) && !out.includes(t)) out.push(t);
  return out;
}

function gitFiles() {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return null;
  // node_modules may be a symlink, which the ignore rule `node_modules/` (directories only) does not cover
  const outside = (f) => ['node_modules', 'dist'].some((d) => f === d || f.startsWith(`${d}/`));
  return r.stdout.split('\0').filter((f) => f && !outside(f) && existsSync(join(root, f)));
}

function gitDescription() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown (not a git checkout)';
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' with uncommitted changes' : ''}`;
}

/** A copy of the repository's files in `dir` (git's list, or everything but node_modules, dist and .git), node_modules linked. */
function copyRepository(dir) {
  mkdirSync(dir, { recursive: true });
  const files = gitFiles();
  if (files) {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(root, f), join(dir, f));
    }
  } else {
    const skip = new Set(['node_modules', 'dist', '.git']);
    for (const name of readdirSync(root)) if (!skip.has(name)) cpSync(join(root, name), join(dir, name), { recursive: true });
  }
  if (!existsSync(join(root, 'node_modules'))) refuse(['node_modules is missing: run npm install (or npm ci) first']);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/** Process groups still running (stopped on Ctrl-C: they are detached, so the terminal's SIGINT does not reach them). */
const active = new Set();

/** Runs a command in its own process group; resolves with status, output and whether it was killed at `timeoutMs`. */
function run(cmd, args, cwd, env, timeoutMs) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    active.add(child.pid);
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutMs) : null;
    child.on('close', (status) => {
      active.delete(child.pid);
      if (timer) clearTimeout(timer);
      done({ status, out, timedOut });
    });
  });
}

const testEnv = { ...process.env };
delete testEnv.NARROWGT_FC_RUNS;
delete testEnv.NARROWGT_TEST_FILTER;

/** The failing tests' names from the spec reporter's output. */
function failingTests(out) {
  const names = [];
  for (const line of out.split('\n')) {
    const m = /^\s*✖ (.+?) \(\d[\d.]*m?s\)\s*$/.exec(line);
    if (m && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/** Runs the test files one by one (each in its own `node --test`): which failed, and whether time ran out. */
async function runTests(dir, files, deadline, bail) {
  const failed = [];
  for (const f of files) {
    const left = deadline - Date.now();
    if (left <= 0) return { failed, timedOut: true };
    const r = await run(process.execPath, ['--test', '--test-reporter=spec', f], dir, testEnv, left);
    if (r.timedOut) return { failed, timedOut: true, timedOutFile: f };
    if (r.status !== 0) {
      failed.push({ file: f, tests: failingTests(r.out), output: r.out.slice(-4000) });
      if (bail) break;
    }
  }
  return { failed, timedOut: false };
}

function tsc(dir) {
  return run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--sourceMap', 'false'], dir, process.env, 0);
}

function short(file) {
  return file.replace(/^dist\/test\//, 'test/').replace(/\.js$/, '.ts');
}

function readReport(file) {
  if (!existsSync(file)) refuse([`${file} does not exist`]);
  const r = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(r?.runs) || !Array.isArray(r?.results)) refuse([`${file} is not a report of this runner (no runs/results)`]);
  return r;
}

/**
 * The report: this run's results, plus (with --merge) the earlier report's results for the mutants not run now whose
 * definition (file, find, replace, tests) is unchanged, in the order of the list. Counts are over the combined rows.
 */
function combine(fresh, run, earlier, list) {
  const runs = earlier ? [...earlier.runs, run] : [run];
  const index = runs.length - 1;
  const byId = new Map(fresh.map((r) => [r.id, { ...r, run: index }]));
  run.mutants = fresh.length;
  if (earlier) {
    for (const old of earlier.results) {
      const m = list.find((x) => x.id === old.id);
      if (byId.has(old.id) || !m) continue;
      const same = m.file === old.file && m.find === old.find && m.replace === old.replace && JSON.stringify(m.tests) === JSON.stringify(old.tests);
      if (same) byId.set(old.id, old);
      else console.error(`mutation: dropped the earlier result of ${old.id}: its definition changed since (run it again)`);
    }
  }
  const rows = list.map((m) => byId.get(m.id)).filter(Boolean);
  const count = (v) => rows.filter((r) => r.verdict === v).length;
  return {
    runs, results: rows,
    counts: { mutants: rows.length, caught: count('caught'), compileError: count('compile-error'), survived: count('survived'), timeout: count('timeout') },
  };
}

function print(report) {
  const { runs, results: rows } = report;
  const count = (v) => rows.filter((r) => r.verdict === v).length;
  const counts = { mutants: rows.length, caught: count('caught'), compileError: count('compile-error'), survived: count('survived'), timeout: count('timeout') };
  if (!opt.markdown) {
    for (const r of rows) console.log(`${r.verdict.padEnd(13)} ${r.id.padEnd(40)} ${r.caughtBy.map((c) => c.file).join(', ')}`);
    console.log(`${counts.mutants} mutants: ${counts.caught} caught, ${counts.compileError} compile errors, ${counts.survived} survived, ${counts.timeout} timed out`);
    return;
  }
  const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = runs.map((u, i) => `${runs.length > 1 ? `* Run ${i + 1}: ` : 'Run '}${u.date.slice(0, 16).replace('T', ' ')} UTC on ${u.commit}, `
    + `Node ${u.node}, FC_SEED ${u.fcSeed}, ${u.jobs} job${u.jobs > 1 ? 's' : ''}, ${u.mutants} mutants in ${(u.seconds / 60).toFixed(1)} min `
    + `(with the build and the baseline); load average ${u.loadStart.join(' ')} at the start, ${u.loadEnd.join(' ')} at the end.`);
  lines.push('', `${counts.mutants} mutants: **${counts.caught} caught** by a test, **${counts.compileError} caught by the compiler**, `
    + `**${counts.survived} survived**, **${counts.timeout} timed out**.`, '',
  '| mutant | file | the bug | verdict | caught by |', '|---|---|---|---|---|');
  for (const r of rows) {
    const verdict = (r.verdict === 'survived' ? '**survived**' : r.verdict === 'compile-error' ? 'compiler' : r.verdict)
      + (runs.length > 1 ? ` (run ${r.run + 1})` : '');
    const by = r.verdict === 'compile-error' ? cell(r.compiler[0]?.replace(/^.*?error /, '') ?? 'tsc')
      : r.verdict === 'timeout' ? `timed out in ${r.timedOutFile ?? 'the tests'}`
        : r.caughtBy.length ? r.caughtBy.map((c) => `\`${c.file.replace(/^test\//, '')}\``).join(', ')
          : `— (ran ${r.tests.map((f) => `\`${f.replace(/^test\//, '')}\``).join(', ')})`;
    lines.push(`| \`${r.id}\`${r.issue16 ? ' ¹' : ''} | \`${r.file.replace(/^src\//, '')}\` | ${cell(r.description)} | ${verdict} | ${by} |`);
  }
  if (rows.some((r) => r.issue16)) lines.push('', '¹ one of the bugs issue 16 reports as surviving the suite.');
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------------------------
const listFile = opt.mutants ?? join(root, 'scripts', 'mutation', 'mutants.mjs');
const fullList = (await loadMutants(listFile)).map((m) => ({ ...m, tests: m.tests ?? ['test/compress'] }));
let mutants = fullList;
const problems = validate(mutants, root);
if (problems.length) refuse(problems);
if (opt.only) {
  const wanted = opt.only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((id) => !mutants.some((m) => m.id === id));
  if (unknown.length) refuse(unknown.map((id) => `--only: no mutant '${id}'`));
  mutants = mutants.filter((m) => wanted.includes(m.id));
}
if (opt.survivors) {
  // with --merge: rerun what the earlier report did not catch (survived, timed out) and what it does not cover
  if (!opt.merge) refuse(['--survivors needs --merge <earlier report>']);
  const earlier = new Map(readReport(opt.merge).results.map((r) => [r.id, r]));
  mutants = mutants.filter((m) => {
    const r = earlier.get(m.id);
    return !r || r.verdict === 'survived' || r.verdict === 'timeout' || r.find !== m.find || r.replace !== m.replace;
  });
  if (mutants.length === 0) { console.log('mutation: no survivors to rerun'); process.exit(0); }
}
if (opt.filter) {
  const filters = opt.filter.split(',').map((s) => s.trim()).filter(Boolean);
  mutants = mutants.map((m) => ({ ...m, tests: filters }));
  const bad = validate(mutants, root);
  if (bad.length) refuse(bad);
}
if (opt.render) {
  print(readReport(opt.render));
  process.exit(0);
}
if (opt.list) {
  for (const m of mutants) console.log(`${m.id}\t${m.file}\t${m.tests.join(',')}\t${m.description}`);
  process.exit(0);
}
if (opt.check) {
  console.log(`mutation: ${mutants.length} mutants, every find string occurs exactly once and every filter selects a test file`);
  process.exit(0);
}
const jobs = Math.max(1, Math.floor(Number(opt.jobs)) || 1);
const timeoutMs = Number(opt.timeout) * 1000;
if (!(timeoutMs > 0)) refuse([`--timeout must be a positive number of seconds, got ${opt.timeout}`]);

const started = new Date();
const commit = gitDescription(); // what the copy is made of (before any later commit in the checkout)
const t0 = Date.now();
const load0 = loadavg();
const log = (s) => console.error(`[mutation ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}`);
const base = mkdtempSync(join(tmpdir(), 'narrowgt-mutation-'));
const copies = Array.from({ length: Math.min(jobs, mutants.length) || 1 }, (_, i) => join(base, `copy-${i}`));
let interrupted = false;
const cleanup = () => { if (!opt.keep) rmSync(base, { recursive: true, force: true }); };
process.on('exit', cleanup); // also after refuse() and uncaught errors
process.on('SIGINT', () => {
  interrupted = true;
  for (const pid of active) { try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ } }
  cleanup();
  process.exit(130);
});

log(`copying the repository to ${copies[0]} and building it once (npm run build)`);
copyRepository(copies[0]);
const build = await run('npm', ['run', 'build'], copies[0], process.env, 0);
if (build.status !== 0) { console.error(build.out.slice(-4000)); cleanup(); refuse(['npm run build failed on the unmutated copy']); }
for (const c of copies.slice(1)) cpSync(copies[0], c, { recursive: true, verbatimSymlinks: true });
const allTests = testFilesFromSource(copies[0]).filter((f) => existsSync(join(copies[0], f)));

if (!opt['no-baseline']) {
  const union = [];
  for (const m of mutants) for (const f of filesFor(m.tests, allTests)) if (!union.includes(f)) union.push(f);
  log(`baseline: ${union.length} test files on the unmutated build`);
  const b = await runTests(copies[0], union, Date.now() + timeoutMs * Math.max(1, union.length), false);
  if (b.timedOut || b.failed.length) {
    for (const f of b.failed) console.error(f.output);
    cleanup();
    refuse([b.timedOut ? 'the baseline run timed out' : `the baseline fails without any mutant: ${b.failed.map((f) => short(f.file)).join(', ')}`]);
  }
  log('baseline passes');
}

const results = new Array(mutants.length);
let next = 0;
async function worker(dir) {
  while (!interrupted && next < mutants.length) {
    const index = next++;
    const m = mutants[index];
    const path = join(dir, m.file);
    const original = readFileSync(path, 'utf8');
    const files = filesFor(m.tests, allTests);
    const t = Date.now();
    let result;
    try {
      if (countOccurrences(original, m.find) !== 1) throw new Error(`find string no longer occurs exactly once in ${m.file}`);
      writeFileSync(path, original.replace(m.find, () => m.replace));
      const c = await tsc(dir);
      if (c.status !== 0) {
        result = { verdict: 'compile-error', caughtBy: [], compiler: c.out.split('\n').filter((l) => /error TS\d+/.test(l)).slice(0, 3) };
      } else {
        const r = await runTests(dir, files, Date.now() + timeoutMs, opt.bail);
        const caughtBy = r.failed.map((f) => ({ file: short(f.file), tests: f.tests.slice(0, 3) }));
        result = r.timedOut ? { verdict: 'timeout', caughtBy, timedOutFile: r.timedOutFile ? short(r.timedOutFile) : null }
          : { verdict: r.failed.length ? 'caught' : 'survived', caughtBy };
      }
    } finally {
      writeFileSync(path, original);
    }
    results[index] = { id: m.id, file: m.file, find: m.find, replace: m.replace, description: m.description, issue16: Boolean(m.issue16), tests: m.tests,
      testFiles: files.map(short), seconds: Math.round((Date.now() - t) / 100) / 10, ...result };
    log(`${m.id}: ${result.verdict}${result.caughtBy.length ? ` by ${result.caughtBy.map((c) => c.file).join(', ')}` : ''}`);
  }
}
await Promise.all(copies.map((c) => worker(c)));
// The copies end restored; rebuild is not needed because they are deleted (or kept for inspection with --keep).
const seconds = Math.round((Date.now() - t0) / 1000);
const load1 = loadavg();
cleanup();
if (opt.keep) log(`kept the copies under ${base}`);

const thisRun = {
  date: started.toISOString(), commit, node: process.version, fcSeed: process.env.FC_SEED ?? '42',
  jobs, seconds, loadStart: load0.map((x) => +x.toFixed(2)), loadEnd: load1.map((x) => +x.toFixed(2)), mutants: 0,
};
const report = combine(results.filter(Boolean), thisRun, opt.merge ? readReport(opt.merge) : null, fullList);
if (opt.json) writeFileSync(opt.json, `${JSON.stringify(report, null, 2)}\n`);
print(report);
