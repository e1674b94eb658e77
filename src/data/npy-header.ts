// The header of a NumPy .npy file is the repr() of a Python dict, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (10000, 7), }
// This file reads exactly the literal subset NumPy writes there (strings, True/False, integers,
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

/** Recursive descent over the Python literal grammar NumPy's header uses. */
class LiteralParser {
  private pos = 0;
  constructor(private readonly where: string, private readonly text: string) {}

  parseAll(): PyLiteral {
    const v = this.value();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the dict');
    return v;
  }

  private fail(what: string): never {
    throw new FormatError(`${this.where}: header is not a valid dict literal (${what} at offset ${this.pos}): ${clip(this.text)}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private value(): PyLiteral {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.dict();
    if (c === '(') return this.sequence(')');
    if (c === '[') return this.sequence(']');
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

  private dict(): { [key: string]: PyLiteral } {
    this.pos++; // '{'
    const out: { [key: string]: PyLiteral } = Object.create(null);
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') { this.pos++; return out; }
      const key = this.value();
      if (typeof key !== 'string') this.fail('dict key is not a string');
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`repeated key '${key}'`);
      out[key] = this.value();
      this.skipSpace();
      const sep = this.text[this.pos];
      if (sep === ',') { this.pos++; continue; }
      if (sep === '}') { this.pos++; return out; }
      this.fail("expected ',' or '}'");
    }
  }

  private sequence(close: string): PyLiteral[] {
    this.pos++; // '(' or '['
    const out: PyLiteral[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) { this.pos++; break; }
      out.push(this.value());
      this.skipSpace();
      const sep = this.text[this.pos];
      if (sep === ',') { this.pos++; continue; }
      if (sep === close) { this.pos++; break; }
      this.fail(`expected ',' or '${close}'`);
    }
    return out;
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
    const m = /^[-+]?[0-9]+L?/.exec(this.text.slice(this.pos));
    if (!m) return this.fail('malformed number');
    this.pos += m[0].length;
    const v = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(v)) this.fail(`integer ${m[0]} is too large`);
    return v;
  }
}
