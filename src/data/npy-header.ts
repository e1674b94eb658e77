// The header of a NumPy .npy file is the repr() of a Python dict, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (10000, 7), }
// This file reads, without recursion, exactly the literal subset NumPy writes there (strings, True/False, integers,
// tuples, dicts), never evaluating anything. Structured dtypes (a list as 'descr') parse as lists
// so the caller can reject them with a precise message.
// see: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { FormatError } from '../runtime/errors.js';

export type PyLiteral = string | number | boolean | null | PyLiteral[] | { [key: string]: PyLiteral };

/** The three fields every .npy header holds. */
export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Parses a header dict. `where` prefixes every error message (function name and member). */
export function parseNpyHeader(where: string, text: string): NpyHeader {
  if (text.length > MAX_HEADER_CHARS) {
    throw new FormatError(`${where}: header is ${text.length} characters, more than the ${MAX_HEADER_CHARS} a .npy header may hold here`);
  }
  const value = new LiteralParser(where, text).parseAll();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FormatError(`${where}: header is not a dict: ${clip(text)}`);
  }
  const keys = Object.keys(value).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new FormatError(`${where}: header must hold exactly the keys 'descr', 'fortran_order', 'shape', got ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  }
  const { descr, fortran_order: fortranOrder, shape } = value;
  if (Array.isArray(descr)) throw new FormatError(`${where}: structured dtypes (a list as 'descr') are not supported`);
  if (typeof descr !== 'string') throw new FormatError(`${where}: header 'descr' must be a string, got ${JSON.stringify(descr)}`);
  if (typeof fortranOrder !== 'boolean') throw new FormatError(`${where}: header 'fortran_order' must be True or False, got ${JSON.stringify(fortranOrder)}`);
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new FormatError(`${where}: header 'shape' must be a tuple of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return { descr, fortranOrder, shape: shape as number[] };
}

function clip(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

const INTEGER = /[-+]?[0-9]+L?/y;

/** Longest header text read (NumPy's own reader refuses headers over 10,000 bytes by default). */
export const MAX_HEADER_CHARS = 65536;

/** Deepest nesting of brackets a header may hold (NumPy writes depth 2; structured dtypes a few more). */
export const MAX_HEADER_DEPTH = 16;

type Frame =
  | { kind: 'dict'; out: { [key: string]: PyLiteral }; key: string | null; expect: 'key' | 'value' }
  | { kind: 'seq'; out: PyLiteral[]; close: string };

/**
 * An iterative parser over the Python literal grammar NumPy's header uses: an explicit stack of open
 * containers instead of recursion, so no header can exhaust the call stack; nesting deeper than
 * MAX_HEADER_DEPTH is a FormatError.
 */
class LiteralParser {
  private pos = 0;
  constructor(private readonly where: string, private readonly text: string) {}

  parseAll(): PyLiteral {
    const stack: Frame[] = [];
    let done: { v: PyLiteral } | null = null;
    while (!done) {
      this.skipSpace();
      const top = stack[stack.length - 1];
      if (top) {
        const c = this.text[this.pos];
        const close = top.kind === 'dict' ? '}' : top.close;
        const empty = top.kind === 'dict' ? top.key === null && Object.keys(top.out).length === 0 : top.out.length === 0;
        // an empty container, or a trailing comma before the closing bracket
        if (c === close && (empty || this.afterComma) && !(top.kind === 'dict' && top.expect === 'value')) {
          this.pos++;
          this.afterComma = false;
          stack.pop();
          const v = top.out;
          done = this.deliver(stack, v);
          continue;
        }
      }
      this.afterComma = false;
      const c = this.text[this.pos];
      if (c === '{' || c === '(' || c === '[') {
        if (stack.length >= MAX_HEADER_DEPTH) this.fail(`nesting deeper than ${MAX_HEADER_DEPTH} levels`);
        this.pos++;
        stack.push(c === '{'
          ? { kind: 'dict', out: Object.create(null) as { [key: string]: PyLiteral }, key: null, expect: 'key' }
          : { kind: 'seq', out: [], close: c === '(' ? ')' : ']' });
        continue;
      }
      done = this.deliver(stack, this.scalar());
    }
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the dict');
    return done.v;
  }

  private afterComma = false;

  /** Hands a finished value to the innermost open container (then reads its separator), or ends the parse. */
  private deliver(stack: Frame[], v: PyLiteral): { v: PyLiteral } | null {
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) return { v };
      this.skipSpace();
      if (top.kind === 'dict') {
        if (top.expect === 'key') {
          if (typeof v !== 'string') this.fail('dict key is not a string');
          if (this.text[this.pos] !== ':') this.fail("expected ':'");
          this.pos++;
          if (Object.prototype.hasOwnProperty.call(top.out, v)) this.fail(`repeated key '${v}'`);
          top.key = v;
          top.expect = 'value';
          return null;
        }
        top.out[top.key as string] = v;
        top.key = null;
        top.expect = 'key';
      } else {
        top.out.push(v);
      }
      const close = top.kind === 'dict' ? '}' : top.close;
      const sep = this.text[this.pos];
      if (sep === ',') { this.pos++; this.afterComma = true; return null; }
      if (sep !== close) this.fail(`expected ',' or '${close}'`);
      this.pos++;
      stack.pop();
      v = top.out;
    }
  }

  private fail(what: string): never {
    throw new FormatError(`${this.where}: header is not a valid dict literal (${what} at offset ${this.pos}): ${clip(this.text)}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private scalar(): PyLiteral {
    const c = this.text[this.pos];
    if (c === "'" || c === '"') return this.string();
    if (c !== undefined && /[-+0-9]/.test(c)) return this.integer();
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  }

  private string(): string {
    const quote = this.text[this.pos++];
    let s = '';
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      // NumPy never escapes inside descr or keys; a backslash means something we do not read.
      if (this.text[this.pos] === '\\') this.fail('escape sequences are not supported');
      s += this.text[this.pos++];
    }
    if (this.pos >= this.text.length) this.fail('unterminated string');
    this.pos++;
    return s;
  }

  private integer(): number {
    // Python 2 era files may write shape entries as `10L`.
    INTEGER.lastIndex = this.pos; // sticky: matches at pos without copying the rest of the text
    const m = INTEGER.exec(this.text);
    if (!m) return this.fail('malformed number');
    this.pos += m[0].length;
    const v = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(v)) this.fail(`integer ${m[0]} is too large`);
    return v;
  }
}
