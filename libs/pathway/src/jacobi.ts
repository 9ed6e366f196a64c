// Symmetric eigendecomposition by the cyclic Jacobi method, for the K x K matrices of method.md §5
// (K <= 128 or so: O(K^3) per sweep, a handful of sweeps). Chosen over QR for its simplicity and
// its accuracy on small eigenvalues, which d_eff = sum mu / (mu + lam) is sensitive to.
import { PathwayError } from './errors.js';

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Row-major n x n; column m (vectors[i * n + m]) is the unit eigenvector of values[m]. */
  readonly vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/** Eigenvalues and eigenvectors of the symmetric n x n matrix `a` (row-major; only read, not changed). */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new PathwayError(`expected an n x n matrix with n = ${n}, got ${a.length} elements`, { argument: 'matrix' });
  }
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    v[i * n + i] = 1;
    for (let j = 0; j < n; j++) {
      const x = m[i * n + j];
      if (!Number.isFinite(x)) throw new PathwayError(`element (${i}, ${j}) is ${x}`, { argument: 'matrix' });
      if (Math.abs(x - m[j * n + i]) > 1e-9 * (Math.abs(x) + Math.abs(m[j * n + i])) + 1e-300) {
        throw new PathwayError(`is not symmetric at (${i}, ${j})`, { argument: 'matrix' });
      }
      total += x * x;
    }
  }
  let sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    // Off-diagonal mass negligible against the whole matrix (or the matrix is zero).
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // Rotation angle phi with t = tan(phi) the smaller root of t^2 + 2 theta t - 1 = 0.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        m[p * n + p] = app - t * apq;
        m[q * n + q] = aqq + t * apq;
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r !== p && r !== q) {
            const arp = m[r * n + p];
            const arq = m[r * n + q];
            const np = c * arp - s * arq;
            const nq = s * arp + c * arq;
            m[r * n + p] = np;
            m[p * n + r] = np;
            m[r * n + q] = nq;
            m[q * n + r] = nq;
          }
          const vrp = v[r * n + p];
          const vrq = v[r * n + q];
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  if (sweep === MAX_SWEEPS) throw new PathwayError(`Jacobi did not converge in ${MAX_SWEEPS} sweeps`, { argument: 'matrix' });
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y] - m[x * n + x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src];
    for (let r = 0; r < n; r++) vectors[r * n + dst] = v[r * n + src];
  });
  return { values, vectors };
}
