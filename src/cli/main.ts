#!/usr/bin/env node
// The narrowgt executable (Node-only): runs src/cli/run.ts on the arguments and exits with its code.
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
