import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupConsistency, routerGeometry, sampleConsistency, sampleConsistencies, PathwayError } from './index.js';
import { mulberry32 } from './prng.js';

const close = (a: number | null, b: number, tol = 1e-12): void => {
  assert.notEqual(a, null);
  assert.ok(Math.abs((a as number) - b) <= tol, `${a} vs ${b}`);
};

const I2 = new Float32Array([1, 0, 0, 1]); // experts (1,0) and (0,1)
// g: layer 0 all on expert 0, layer 1 split, layer 2 all on expert 1 (L = 3, K = 2)
const g = new Float32Array([1, 0, 0.5, 0.5, 0, 1]);
const s = Math.SQRT1_2;

describe('pathway consistency (method.md §4), hand-worked', () => {
  it('identity routers: e = (1,0), (.5,.5), (0,1); both cosines 1/sqrt(2)', () => {
    const r = sampleConsistency(g, routerGeometry([I2, I2, I2], 2, 2));
    close(r.cosines[0], s);
    close(r.cosines[1], s);
    close(r.meanCosine, s);
    close(r.consistency, s / (s + 1e-8));
    close(r.complexity, 1 - s / (s + 1e-8));
    assert.equal(r.undefinedReason, null);
  });

  it('a flipped expert gives a negative cosine; consistency = mean(c / (max c + 1e-8))', () => {
    const flipped = new Float32Array([1, 0, 0, -1]); // layer 1: e1 = (.5, -.5)
    const r = sampleConsistency(g, routerGeometry([I2, flipped, I2], 2, 2));
    close(r.cosines[0], s);
    close(r.cosines[1], -s);
    close(r.meanCosine, 0);
    close(r.consistency, (s / (s + 1e-8) - s / (s + 1e-8)) / 2);
  });

  it('largest cosine <= 0: consistency null, raw mean cosine still reported', () => {
    const negated = new Float32Array([-1, 0, 0, -1]); // e1 = (-.5, -.5)
    const r = sampleConsistency(g, routerGeometry([I2, negated, I2], 2, 2));
    assert.equal(r.consistency, null);
    assert.equal(r.complexity, null);
    assert.equal(r.undefinedReason, 'non-positive-max');
    close(r.meanCosine, -s);
  });

  it('a zero routing embedding (zero weights, or experts that cancel) makes the sample null', () => {
    const zeroWeights = new Float32Array([1, 0, 0, 0, 0, 1]);
    const a = sampleConsistency(zeroWeights, routerGeometry([I2, I2, I2], 2, 2));
    assert.equal(a.undefinedReason, 'zero-embedding');
    assert.deepEqual(a.cosines, [null, null]);
    assert.equal(a.meanCosine, null);
    const cancelling = new Float32Array([1, 0, -1, 0]); // e1 = 0.5 (1,0) + 0.5 (-1,0) = 0
    const b = sampleConsistency(g, routerGeometry([I2, cancelling, I2], 2, 2));
    assert.equal(b.undefinedReason, 'zero-embedding');
    assert.equal(b.consistency, null);
  });

  it('group statistic: mean over defined samples plus counts of undefined ones', () => {
    const geo = routerGeometry([I2, new Float32Array([-1, 0, 0, -1]), I2], 2, 2);
    const okGeo = routerGeometry([I2, I2, I2], 2, 2);
    const samples = [sampleConsistency(g, okGeo), sampleConsistency(g, geo), sampleConsistency(new Float32Array([1, 0, 0, 0, 0, 1]), okGeo)];
    const group = groupConsistency(samples);
    assert.equal(group.samples, 3);
    assert.equal(group.undefinedCount, 2);
    assert.equal(group.zeroEmbeddingCount, 1);
    close(group.consistency, s / (s + 1e-8));
    close(group.meanCosine, (s - s) / 2);
    assert.throws(() => groupConsistency([]), /needs at least one sample/);
  });
});

describe('Gram route equals the direct embedding computation', () => {
  it('random routers and routing (L = 5, K = 8, d = 12)', () => {
    const rand = mulberry32(5);
    const L = 5;
    const K = 8;
    const d = 12;
    const W = Array.from({ length: L }, () => Float32Array.from({ length: K * d }, () => rand() * 2 - 1));
    const geo = routerGeometry(W, K, d);
    for (let trial = 0; trial < 20; trial++) {
      const gs = Float32Array.from({ length: L * K }, () => rand());
      // Direct: e_l = sum_k g_l(k) W_l[k, :], then cosines.
      const e = Array.from({ length: L }, (_, l) => {
        const v = new Float64Array(d);
        for (let k = 0; k < K; k++) for (let t = 0; t < d; t++) v[t] = v[t] + gs[l * K + k] * (W[l] as Float32Array)[k * d + t];
        return v;
      });
      const dot = (a: Float64Array, b: Float64Array): number => a.reduce((acc, x, t) => acc + x * b[t], 0);
      const cos = Array.from(
        { length: L - 1 },
        (_, l) =>
          dot(e[l] as Float64Array, e[l + 1] as Float64Array) /
          Math.sqrt(dot(e[l] as Float64Array, e[l] as Float64Array) * dot(e[l + 1] as Float64Array, e[l + 1] as Float64Array)),
      );
      const max = Math.max(...cos);
      const r = sampleConsistency(gs, geo);
      cos.forEach((c, l) => close(r.cosines[l], c, 1e-9));
      if (max > 0) close(r.consistency, cos.reduce((a, c) => a + c / (max + 1e-8), 0) / (L - 1), 1e-9);
      else assert.equal(r.consistency, null);
    }
  });

  it('rejects bad shapes and values naming the layer or sample', () => {
    assert.throws(() => routerGeometry([I2], 2, 2), /at least 2 layers/);
    assert.throws(() => routerGeometry([I2, new Float32Array(3)], 2, 2), /weights, layer 1: has length 3, expected experts x dim = 2 x 2/);
    assert.throws(() => routerGeometry([I2, new Float32Array([1, Number.NaN, 0, 1])], 2, 2), /weights, layer 1: element 1 is NaN/);
    const geo = routerGeometry([I2, I2, I2], 2, 2);
    assert.throws(() => sampleConsistency(new Float32Array(5), geo), /g: has length 5, expected layers x experts = 3 x 2/);
    assert.throws(
      () => sampleConsistencies([g, new Float32Array([1, 0, Number.POSITIVE_INFINITY, 0, 0, 1])], geo),
      (e: unknown) => {
        assert.ok(e instanceof PathwayError);
        assert.equal(e.sample, 1);
        return true;
      },
    );
  });
});
