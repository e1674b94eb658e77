// `narrowgt info`: what this installation is and what it runs on.
import os from 'node:os';
import { backend, embeddedWasmBytes, kernelBuild, threadInfo } from '../../index.js';
import { prepareKernels } from '../common.js';
import { bundledGraphPath } from '../../node/index.js';
import { packageVersion } from '../version.js';
import type { Command } from './types.js';

export const info: Command = {
  name: 'info',
  summary: 'print the version, backend, kernel build and size, threads, and the bundled graph',
  usage: 'narrowgt info [--json]',
  options: { json: { type: 'boolean', description: 'machine-readable output' } },
  async run(values) {
    await prepareKernels();
    const t = threadInfo();
    const report = {
      version: packageVersion(),
      backend: backend(),
      kernelBuild: kernelBuild() ?? 'none',
      wasmBytes: embeddedWasmBytes(kernelBuild() ?? 'plain').length,
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      threads: t.threads,
      ...(t.reason ? { threadsNote: t.reason } : {}),
      bundledGraph: bundledGraphPath(),
    };
    if (values.json) console.log(JSON.stringify(report));
    else for (const [k, v] of Object.entries(report)) console.log(`${k.padEnd(13)} ${v}`);
  },
};
