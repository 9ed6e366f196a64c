// method.md §6: one-to-one assignment (Kuhn-Munkres / Hungarian algorithm, O(n^2 m) for n <= m),
// rectangular allowed: with more rows than columns the problem is solved on the transpose, and the
// rows left over are unassigned. The shortest-augmenting-path form with potentials u, v is used.
import { PathwayError } from './errors.js';

export interface Assignment {
  /** rowToColumn[r] = assigned column, or -1 when r is left unassigned (more rows than columns). */
  readonly rowToColumn: readonly number[];
  /** Sum of the assigned entries. */
  readonly total: number;
}

/** Assignment minimizing (default) or maximizing the sum of matrix[r][c] over assigned pairs. */
export function hungarian(matrix: readonly ArrayLike<number>[], options: { maximize?: boolean } = {}): Assignment {
  if (!Array.isArray(matrix) || matrix.length === 0) throw new PathwayError('needs at least one row', { argument: 'matrix' });
  const rows = matrix.length;
  const cols = (matrix[0] as ArrayLike<number>).length;
  if (!(cols > 0)) throw new PathwayError('needs at least one column', { argument: 'matrix' });
  matrix.forEach((row, r) => {
    if (row === null || row === undefined || row.length !== cols) {
      throw new PathwayError(`has ${row?.length ?? 0} columns, expected ${cols}`, { argument: 'matrix', index: r });
    }
    for (let c = 0; c < cols; c++) {
      if (!Number.isFinite(row[c])) throw new PathwayError(`column ${c} is ${String(row[c])}`, { argument: 'matrix', index: r });
    }
  });
  const sign = options.maximize === true ? -1 : 1;
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const cost = (i: number, j: number): number => sign * (transpose ? (matrix[j] as ArrayLike<number>)[i] : (matrix[i] as ArrayLike<number>)[j]);
  const columnOwner = solve(n, m, cost);
  const rowToColumn = new Array<number>(rows).fill(-1);
  for (let j = 0; j < m; j++) {
    const i = columnOwner[j];
    if (i < 0) continue;
    if (transpose) rowToColumn[j] = i;
    else rowToColumn[i] = j;
  }
  let total = 0;
  rowToColumn.forEach((c, r) => {
    if (c >= 0) total += (matrix[r] as ArrayLike<number>)[c];
  });
  return { rowToColumn, total };
}

/**
 * Minimum-cost assignment of every one of n rows to distinct columns among m >= n.
 * Returns owner[j] = row assigned to column j, or -1. Indices 1-based inside, 0 = "virtual".
 */
function solve(n: number, m: number, cost: (i: number, j: number) => number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const owner = new Int32Array(m + 1); // owner[j] = row (1-based) matched to column j, 0 = none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    owner[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    // Grow a shortest-path tree from row i until it reaches a free column.
    do {
      used[j0] = 1;
      const i0 = owner[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          const r = owner[j];
          u[r] = u[r] + delta;
          v[j] = v[j] - delta;
        } else {
          minv[j] = minv[j] - delta;
        }
      }
      j0 = j1;
    } while (owner[j0] !== 0);
    // Flip the augmenting path.
    do {
      const j1 = way[j0];
      owner[j0] = owner[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Int32Array(m);
  for (let j = 1; j <= m; j++) out[j - 1] = owner[j] - 1;
  return out;
}
