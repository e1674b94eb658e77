// The bound oracle's comparison can fail (test/support/bound-oracle, issue 16): a check it has no transcription for, a
// check it expects that is missing, and a bound off by 1e-9 relative each fail, naming the check and both values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, rng, scope, compressWithJl, type Certificate } from '../../../src/index.js';
import { gaussianInput, makePattern, theoryModel } from '../../support/models.js';
import { assertBoundsMatch, jlBounds, recordedQuantities } from '../../support/bound-oracle/index.js';

await init();

test('assertBoundsMatch fails on a check kind or name without a transcription, on a missing check, and on a bound off by 1e-9 relative', () => {
  scope(() => {
    const g = rng(4);
    const model = theoryModel(g, { dIn: 6, width: 16, depth: 2, beta: 1.5, logitScale: 2 });
    const x = gaussianInput(g, 14, 6, 0.5), pattern = makePattern(g, 'sparse', 14, 0.3);
    const c = compressWithJl(model, x, pattern, { d: 8, seed: 2 });
    const oracle = jlBounds(recordedQuantities(c.certificate), { d: 8, eps: null });
    assertBoundsMatch(c.certificate, oracle, 'as built');
    const withChecks = (checks: Certificate['checks']): Certificate => ({ ...c.certificate, checks });
    const base = c.certificate.checks;
    const extra = { ...base[3], name: 'a new check nobody transcribed', kind: 'inequality' as const };
    assert.throws(() => assertBoundsMatch(withChecks([...base, extra]), oracle, 'extra'), /"inequality \| layer [-\d]+ \| a new check nobody transcribed" has no transcription/);
    const newKind = { ...base[3], kind: 'probabilistic' as unknown as 'inequality' };
    assert.throws(() => assertBoundsMatch(withChecks([...base.filter((_, i) => i !== 3), newKind]), oracle, 'kind'), /has no transcription/);
    assert.throws(() => assertBoundsMatch(withChecks(base.slice(1)), oracle, 'missing'), /the oracle expects check .* which the certificate lacks/);
    const i = base.findIndex((k) => k.name.startsWith('(3.1)') && k.bound > 0);
    const off = base.map((k, t) => (t === i ? { ...k, bound: k.bound * (1 + 1e-9) } : k));
    assert.throws(() => assertBoundsMatch(withChecks(off), oracle, 'off'), /\(3\.1\).*certificate bound .* ≠ oracle bound/);
  });
});
