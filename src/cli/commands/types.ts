// The shape every CLI command has: parsed by node:util parseArgs, run with its option values and positionals.

export interface OptionSpec {
  type: 'boolean' | 'string';
  description: string;
  default?: string | boolean;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Whether the command takes positional arguments (default false: a stray one is an error). */
  positionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<void>;
}
