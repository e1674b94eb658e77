// A usage or input problem the CLI reports as one line (no stack trace) with exit code 2.
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
