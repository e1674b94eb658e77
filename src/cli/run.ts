// The narrowgt command line as a function (src/cli/main.ts is the executable): dispatch, --help, and the rule that
// every failure is one line on stderr with a non-zero code — 2 for bad arguments or input files, 1 for anything else.
import { parseArgs } from 'node:util';
import { NarrowgtError } from '../index.js';
import { CliError } from './cli-error.js';
import type { Command } from './commands/types.js';
import { info } from './commands/info.js';
import { demo } from './commands/demo.js';
import { train } from './commands/train.js';
import { compress } from './commands/compress.js';
import { certifyCommand } from './commands/certify.js';
import { evalCommand } from './commands/eval.js';
import { experiment } from './commands/experiment.js';
import { bench } from './commands/bench.js';
import { setQuiet } from './output.js';
import { setKernelThreads } from './common.js';
import { packageVersion } from './version.js';

const commands: Command[] = [demo, train, compress, certifyCommand, evalCommand, experiment, bench, info];

function helpFor(c: Command): string {
  const opts = Object.entries(c.options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(28) + o.description +
    (o.default !== undefined ? ` (default ${o.default})` : ''));
  return [`usage: ${c.usage}`, '', c.summary, '', 'options:', ...opts, '  --quiet, -q'.padEnd(28) + 'no progress lines on stderr',
    '  --threads N'.padEnd(28) + 'run the kernels on N threads (default: the cores, at most 8)',
    '  --help'.padEnd(28) + 'show this help'].join('\n');
}

function mainHelp(): string {
  return ['usage: narrowgt [--quiet] COMMAND [options] [--threads N]', '       narrowgt --version', '', 'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '',
    "run 'narrowgt COMMAND --help' for a command's options; --quiet (-q), before or after the command, drops the progress lines"].join('\n');
}

const QUIET = new Set(['--quiet', '-q']);

async function dispatch(argv: string[]): Promise<number> {
  let i = 0;
  while (QUIET.has(argv[i]!)) i++;
  setQuiet(i > 0);
  const [name, ...rest] = argv.slice(i);
  if (name === '--version' || name === '-v' || name === '-V') {
    console.log(packageVersion());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) throw new CliError(`unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...Object.fromEntries(Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type }])), help: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' }, ...(cmd.options.threads ? {} : { threads: { type: 'string' as const } }) },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new CliError(`${cmd.name}: ${(e as Error).message}`);
  }
  if (parsed.values.quiet) setQuiet(true);
  const threads = (parsed.values as Record<string, unknown>).threads;
  if (threads !== undefined && !cmd.options.threads) {
    const n = Number(threads);
    if (!/^\d+$/.test(String(threads)) || !Number.isInteger(n) || n < 1 || n > 256) throw new CliError(`${cmd.name}: --threads must be an integer from 1 to 256, got '${String(threads)}'`);
    setKernelThreads(n);
  } else setKernelThreads(undefined);
  if (parsed.values.help) {
    console.log(helpFor(cmd));
    return 0;
  }
  if (!cmd.positionals && parsed.positionals.length) throw new CliError(`${cmd.name}: unexpected argument '${parsed.positionals[0]}' (options are --name value)`);
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, o] of Object.entries(cmd.options)) values[k] = (parsed.values as Record<string, string | boolean | undefined>)[k] ?? o.default;
  await cmd.run(values, parsed.positionals);
  return 0;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');

/** Runs the command line `argv` (without node and the script) and returns the exit code; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e: unknown) {
    if (e instanceof CliError || e instanceof NarrowgtError) {
      process.stderr.write(`narrowgt: ${oneLine(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`narrowgt: unexpected error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    return 1;
  }
}
