#!/usr/bin/env node
// The narrowgt command (Node-only). Every failure is one line on stderr and a non-zero exit code:
// 2 for bad arguments or input files, 1 for anything unexpected.
import { parseArgs } from 'node:util';
import { NarrowgtError } from '../index.js';
import { CliError } from './cli-error.js';
import type { Command } from './commands/types.js';
import { info } from './commands/info.js';
import { demo } from './commands/demo.js';

const commands: Command[] = [demo, info];

function helpFor(c: Command): string {
  const opts = Object.entries(c.options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(28) + o.description +
    (o.default !== undefined ? ` (default ${o.default})` : ''));
  return [`usage: ${c.usage}`, '', c.summary, '', 'options:', ...opts, '  --help'.padEnd(28) + 'show this help'].join('\n');
}

function mainHelp(): string {
  return ['usage: narrowgt COMMAND [options]', '', 'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '', "run 'narrowgt COMMAND --help' for a command's options"].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
      options: { ...Object.fromEntries(Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type }])), help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new CliError(`${cmd.name}: ${(e as Error).message}`);
  }
  if (parsed.values.help) {
    console.log(helpFor(cmd));
    return 0;
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, o] of Object.entries(cmd.options)) values[k] = (parsed.values as Record<string, string | boolean | undefined>)[k] ?? o.default;
  await cmd.run(values, parsed.positionals);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof CliError || e instanceof NarrowgtError) {
    process.stderr.write(`narrowgt: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`narrowgt: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
});
