// Printing helpers: tables for people on stdout, progress on stderr, JSON for machines.

/** Renders rows as an aligned text table with a header row. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Progress lines go to stderr unless `--quiet` (setQuiet) turned them off. */
let quiet = false;
/** When the last non-terminal progress line was written, and the stage it belonged to. */
let lastLineAt = -Infinity;
let lastStage: string | null = null;

/** Minimum time between two progress lines of the same stage when stderr is not a terminal. */
export const PROGRESS_INTERVAL_MS = 1000;

export function setQuiet(value: boolean): void {
  quiet = value;
}

/** A message's stage: the text before its first counter ("epoch 3/40" → "… epoch "), or the whole message. */
export function progressStage(message: string): string {
  const m = /\d+\s*\/\s*\d+/.exec(message);
  return m ? message.slice(0, m.index) : message;
}

/** Cuts a message to `columns − 1` characters (an ellipsis marks the cut), so that a terminal never wraps it. */
export function fitToWidth(message: string, columns: number | undefined): string {
  const chars = [...message];
  if (!columns || columns < 2 || chars.length < columns) return message;
  return `${chars.slice(0, columns - 2).join('')}…`;
}

/**
 * A progress line on stderr. In a terminal one line, rewritten in place and cut to the terminal's width; otherwise
 * (a pipe, a file, CI) a line of its own when a new stage starts or at most once per PROGRESS_INTERVAL_MS within a
 * stage. Nothing with --quiet.
 */
export function progress(message: string, now: number = performance.now()): void {
  if (quiet) return;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[K${fitToWidth(message, process.stderr.columns)}`);
    return;
  }
  const stage = progressStage(message);
  if (stage === lastStage && now - lastLineAt < PROGRESS_INTERVAL_MS) return;
  lastStage = stage;
  lastLineAt = now;
  process.stderr.write(`${message}\n`);
}

export function endProgress(): void {
  lastStage = null;
  if (process.stderr.isTTY && !quiet) process.stderr.write('\r\x1b[K');
}

export { medianMs } from '../index.js';
