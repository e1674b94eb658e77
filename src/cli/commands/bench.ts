// `narrowgt bench`: the kernel benchmarks of bench/ (tinybench, peers side by side), run as their own process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CliError } from '../cli-error.js';
import { packageRoot } from '../common.js';
import type { Command } from './types.js';

export const bench: Command = {
  name: 'bench',
  summary: 'time the kernels beside their peers (dist/bench/run.js; a source checkout only)',
  usage: 'narrowgt bench [--filter SUITE_OR_SUBSTRING] [--json]',
  options: {
    filter: { type: 'string', description: 'run only the suites or tasks whose name contains this' },
    json: { type: 'boolean', description: 'results with runtime, version and CPU as JSON on stdout' },
  },
  async run(values) {
    const script = join(packageRoot, 'dist', 'bench', 'run.js');
    if (!existsSync(script)) throw new CliError(`bench: ${script} is missing: benchmarks ship with the source checkout (npm run build there)`);
    const args: string[] = [];
    if (values.filter !== undefined) {
      if (values.filter === '') throw new CliError('bench: --filter must not be empty');
      args.push('--filter', values.filter as string);
    }
    if (values.json) args.push('--json');
    const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new CliError(`bench: ${script} exited with ${r.status ?? r.signal}`);
  },
};
