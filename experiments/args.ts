// Tiny `--name value` argument parsing for the experiment commands (Node only).
import { InputError } from '../src/index.js';

/** Parses `--key value` pairs; a flag without a value is 'true'. Throws InputError on a stray value. */
export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new InputError(`arguments: unexpected '${a}' (options are --name value)`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(a.slice(2), 'true');
    else { out.set(a.slice(2), next); i++; }
  }
  return out;
}

/** A numeric option with a default. */
export function numberArg(args: Map<string, string>, name: string, fallback: number): number {
  const v = args.get(name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InputError(`arguments: --${name} must be a number, got '${v}'`);
  return x;
}

/** A comma-separated list of numbers with a default. */
export function listArg(args: Map<string, string>, name: string, fallback: number[]): number[] {
  const v = args.get(name);
  if (v === undefined) return fallback;
  return v.split(',').map((s) => {
    const x = Number(s);
    if (!Number.isFinite(x)) throw new InputError(`arguments: --${name} must be comma-separated numbers, got '${v}'`);
    return x;
  });
}
