// One-line notes for the person at the terminal (stderr, so stdout stays the command's result or its JSON).

/** Writes `message` as one line on stderr. */
export function note(message: string): void {
  process.stderr.write(`note: ${message}\n`);
}
