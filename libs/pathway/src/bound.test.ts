import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveDimension, RoutingGram, symmetricEigen } from './index.js';
import { naiveEigenvalues, naiveSolve } from './testing.js';
import { mulberry32 } from './prng.js';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('reconstructs A = V diag(values) V^T with orthonormal V, values descending', () => {
    const rand = mulberry32(1);
    const n = 9;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rand() * 2 - 1;
    const { values, vectors } = symmetricEigen(a, n);
    for (let m = 1; m < n; m++) assert.ok(values[m - 1] >= values[m]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let orth = 0;
        for (let m = 0; m < n; m++) {
          rec += vectors[i * n + m] * values[m] * vectors[j * n + m];
          orth += vectors[m * n + i] * vectors[m * n + j];
        }
        close(rec, a[i * n + j], 1e-12);
        close(orth, i === j ? 1 : 0, 1e-12);
      }
    }
    assert.throws(() => symmetricEigen([1, 2, 3, 4], 2), /not symmetric/);
    assert.throws(() => symmetricEigen([1, 2, 3], 2), /n x n matrix/);
  });
});

describe('effective dimension and bias (method.md §5)', () => {
  it('hand-worked: two orthogonal one-hot samples', () => {
    const r = effectiveDimension([new Float32Array([1, 0]), new Float32Array([0, 1])], 1, 2);
    const layer = r.layers[0];
    assert.ok(layer !== undefined);
    close(layer.traceH, 2);
    close(layer.lambda, 0.01); // 0.01 * trace / n = 0.01 * 2 / 2
    close(layer.dEff, 2 / 1.01);
    close(layer.complexityTerm, (2 / 1.01 + Math.log(20)) / 2);
    assert.equal(layer.bias, null);
    assert.equal(r.meanBias, null);
  });

  it('K x K route equals a direct n x n eigen computation of H = G G^T, per layer, with labels', () => {
    const rand = mulberry32(2);
    const L = 3;
    const K = 6;
    const n = 11;
    const samples = Array.from({ length: n }, () => {
      const g = new Float32Array(L * K);
      for (let l = 0; l < L; l++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += g[l * K + k] = rand() ** 3;
        for (let k = 0; k < K; k++) g[l * K + k] = g[l * K + k] / s;
      }
      return g;
    });
    const labels = Array.from({ length: n }, () => rand() * 3);
    for (const options of [{}, { lambda: 0.37, delta: 0.1 }, { lambdaScale: 0.2 }]) {
      const r = effectiveDimension(samples, L, K, { ...options, labels });
      let dSum = 0;
      let bSum = 0;
      for (let l = 0; l < L; l++) {
        const rowsG = samples.map((g) => Array.from(g.subarray(l * K, (l + 1) * K)));
        const H = rowsG.map((a) => rowsG.map((b) => a.reduce((s, x, k) => s + x * b[k], 0)));
        const trace = H.reduce((s, row, i) => s + row[i], 0);
        const lambda = 'lambda' in options ? (options.lambda as number) : (('lambdaScale' in options ? (options.lambdaScale as number) : 0.01) * trace) / n;
        const eig = naiveEigenvalues(H);
        const dEff = eig.reduce((s, mu) => s + Math.max(0, mu) / (Math.max(0, mu) + lambda), 0);
        // bias = lam^2 y^T (H + lam I)^-2 y / n by two linear solves, no eigenvectors involved.
        const shifted = H.map((row, i) => row.map((x, j) => x + (i === j ? lambda : 0)));
        const w = naiveSolve(shifted, naiveSolve(shifted, labels));
        const bias = (lambda * lambda * labels.reduce((s, y, i) => s + y * w[i], 0)) / n;
        const layer = r.layers[l];
        assert.ok(layer !== undefined);
        close(layer.lambda, lambda);
        close(layer.dEff, dEff, 1e-8);
        close(layer.bias as number, bias, 1e-8);
        close(layer.complexityTerm, (dEff + Math.log(1 / r.delta)) / n, 1e-8);
        dSum += dEff;
        bSum += bias;
      }
      close(r.meanDEff, dSum / L, 1e-8);
      close(r.meanBias as number, bSum / L, 1e-8);
    }
  });

  it('default lambda makes d_eff scale-free', () => {
    const rand = mulberry32(3);
    const samples = Array.from({ length: 20 }, () => Float64Array.from({ length: 8 }, () => rand()));
    const a = effectiveDimension(samples, 2, 4).meanDEff;
    const b = effectiveDimension(
      samples.map((g) => g.map((x) => x * 7)),
      2,
      4,
    ).meanDEff;
    close(a, b, 1e-10);
  });

  it('streams samples; rejects partial labels, bad shapes, zero routing without lambda', () => {
    const acc = new RoutingGram(2, 2);
    acc.add(new Float32Array([1, 0, 0, 1]), 1);
    acc.add(new Float32Array([0, 1, 1, 0]));
    assert.throws(() => acc.result(), /1 of 2 samples have labels/);
    assert.throws(() => acc.add(new Float32Array(3)), /g, sample 2: has length 3, expected 2 x 2/);
    assert.throws(() => acc.add(new Float32Array([0, Number.NaN, 0, 0])), /sample 2, layer 0: weight of expert 1 is NaN/);
    const zero = new RoutingGram(1, 2);
    zero.add(new Float32Array([0, 0]));
    assert.throws(() => zero.result(), /layer 0: all routing weights are zero/);
    assert.equal(zero.result({ lambda: 1 }).meanDEff, 0);
    assert.throws(() => new RoutingGram(1, 2).result(), /no samples/);
    assert.throws(() => zero.result({ delta: 1 }), /delta: must be in \(0, 1\)/);
    assert.throws(() => effectiveDimension([new Float32Array(2)], 1, 2, { labels: [1, 2] }), /has 2 labels for 1 samples/);
  });
});
