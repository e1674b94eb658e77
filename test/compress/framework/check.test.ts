// makeCheck, the one place every certificate check gets its tolerance (docs/theory.md#3-certificates): measured ≤
// bound·(1 + rtol) + atolFactor·scale, and a NaN on either side fails. The slack is recomputed here from that formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCheck } from '../../../src/index.js';

const tol = { rtol: 1e-9, atolFactor: 64 * 2 ** -52 };
const spec = (measured: number, bound: number, scale = 0) => ({ name: 't', kind: 'inequality' as const, layer: null, measured, bound, scale, detail: '' });

test('makeCheck: a NaN measured value or bound fails the check (no silent pass)', () => {
  for (const [m, b] of [[NaN, 1], [1, NaN], [NaN, NaN], [NaN, Infinity]]) {
    assert.equal(makeCheck(tol, spec(m, b, 1)).holds, false, `measured ${m}, bound ${b}`);
  }
});

test('makeCheck: holds exactly up to bound·(1 + rtol) + atolFactor·scale, and fails just above it', () => {
  for (const [bound, scale] of [[1, 0], [3.5, 2], [1e-20, 1], [0, 1e3]]) {
    const slack = Math.abs(bound) * tol.rtol + tol.atolFactor * scale;
    assert.equal(makeCheck(tol, spec(bound + slack * 0.999, bound, scale)).holds, true, `inside: bound ${bound}, scale ${scale}`);
    assert.equal(makeCheck(tol, spec(bound + slack * 1.001 + Number.MIN_VALUE, bound, scale)).holds, false, `outside: bound ${bound}, scale ${scale}`);
  }
});
