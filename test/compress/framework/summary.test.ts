import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, scope, rng, compressExactLowRank, summarizeCertificate, type Certificate, type Check } from '../../../src/index.js';
import { lowRankInput, makePattern, theoryModel } from '../../support/models.js';

await init();

function check(name: string, kind: Check['kind'], holds: boolean, applicable = true, layer: number | null = 0): Check {
  return { name, kind, layer, measured: holds ? 0 : 2, bound: 1, margin: holds ? 1 : -1, holds, applicable, detail: '' };
}

function certificate(over: Partial<Certificate>): Certificate {
  return {
    format: 'narrowgt-certificate', version: 1, construction: 'x', theorem: 'T', holds: true, reasons: [], alpha: 1, beta: 1, numNodes: 3, numEdges: 3,
    depth: 1, referenceWidths: [2, 2], narrowWidths: [1, 1], outputError: 0.5, outputScale: 2, maxLogRatio: 0.25, layers: [], checks: [],
    predicted: { outputError: null, formula: 'f', constants: {}, conditionsHold: false, note: 'ε too large' }, seeds: null, parameters: {}, ...over,
  };
}

test('summarizeCertificate: relative error first, then hypotheses and inequalities counted apart (not-applicable checks left out), never a bare "holds"', () => {
  const s = summarizeCertificate(certificate({
    checks: [check('rank ≤ d', 'shape', false), check('ρ_x < 3/4', 'hypothesis', true), check('(3.1)', 'inequality', true), check('(3.3)', 'inequality', true),
      check('closed form', 'closed-form', false, false)],
  }));
  assert.equal(s.relativeOutputError, 0.25);
  assert.deepEqual([s.hypotheses.count, s.hypotheses.failed, s.hypotheses.allHold], [2, 1, false]);
  assert.deepEqual(s.hypotheses.failures, ['rank ≤ d (layer 0)']);
  assert.deepEqual([s.inequalities.count, s.inequalities.failed, s.inequalities.allHold], [2, 0, true]);
  assert.equal(s.closedForms.count, 0, 'the inapplicable closed form is not counted');
  assert.match(s.lines[0], /^measured on the graph: relative output error 25\.0 % .*attention deviation max \|log â\/a\| = 2\.500e-1/);
  assert.match(s.lines[1], /^the theorem's hypotheses: 1 of 2 FAIL: its bound does not apply .*\(rank ≤ d \(layer 0\)\)/);
  assert.equal(s.lines[2], 'per-layer inequalities (realised quantities): all 2 hold');
  assert.match(s.lines[3], /none \(its conditions fail: ε too large\)/);
  for (const line of s.lines) assert.doesNotMatch(line, /\bholds\b/);
  assert.equal(s.measuredFinite, true);
});

test('summarizeCertificate: non-finite or larger-than-scale errors are said; 0/0 is 0 and x/0 is ∞', () => {
  const far = summarizeCertificate(certificate({ outputError: 3, outputScale: 2 }));
  assert.equal(far.measuredFinite, false);
  assert.match(far.lines[far.lines.length - 1], /not finite or exceed the output scale/);
  assert.ok(Number.isNaN(summarizeCertificate(certificate({ outputError: NaN })).relativeOutputError));
  assert.equal(summarizeCertificate(certificate({ outputError: 0, outputScale: 0 })).relativeOutputError, 0);
  assert.equal(summarizeCertificate(certificate({ outputError: 1, outputScale: 0 })).relativeOutputError, Infinity);
});

test('every certificate carries the hypothesis "measured quantities are finite", and it counts their NaN/∞', () => {
  scope(() => {
    const g = rng(5);
    const model = theoryModel(g, { dIn: 6, width: 8, depth: 2, beta: 1, w1Rank: 2 });
    const x = lowRankInput(g, 20, 6, 2, 1), pattern = makePattern(g, 'expander', 20, 0.2);
    const cert = compressExactLowRank(model, x, pattern, { d: 2, foldInput: false }).certificate;
    const finite = cert.checks.filter((c) => c.name === 'measured quantities are finite');
    assert.equal(finite.length, 1);
    assert.deepEqual([finite[0].kind, finite[0].measured, finite[0].bound, finite[0].holds], ['hypothesis', 0, 0, true]);
  });
});
