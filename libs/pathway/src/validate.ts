// Shared argument checks. Every public function validates at its entry so that bad input fails
// with a PathwayError naming the argument and position instead of producing NaN downstream.
import { PathwayError, type PathwayErrorContext } from './errors.js';

export function assertPositiveInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new PathwayError(`must be a positive integer, got ${String(value)}`, { argument });
  }
}

export function assertNonNegativeInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new PathwayError(`must be a non-negative integer, got ${String(value)}`, { argument });
  }
}

export function assertFiniteNumber(value: number, argument: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PathwayError(`must be a finite number, got ${String(value)}`, { argument });
  }
}

/** Open/closed interval check: lowOpen means value must be > low, otherwise >= low; same for high. */
export function assertInRange(value: number, argument: string, low: number, high: number, lowOpen: boolean, highOpen: boolean): void {
  const okLow = lowOpen ? value > low : value >= low;
  const okHigh = highOpen ? value < high : value <= high;
  if (typeof value !== 'number' || Number.isNaN(value) || !okLow || !okHigh) {
    const interval = `${lowOpen ? '(' : '['}${low}, ${high}${highOpen ? ')' : ']'}`;
    throw new PathwayError(`must be in ${interval}, got ${String(value)}`, { argument });
  }
}

/** Every element finite; the error names the first bad element's index plus the caller's context. */
export function assertAllFinite(values: ArrayLike<number>, argument: string, context: PathwayErrorContext = {}): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new PathwayError(`element ${i} is ${String(v)}, expected a finite number`, { ...context, argument });
    }
  }
}

export function assertLength(values: ArrayLike<number>, expected: number, argument: string, context: PathwayErrorContext = {}): void {
  if (values === null || values === undefined || typeof values.length !== 'number') {
    throw new PathwayError('must be an array of numbers', { ...context, argument });
  }
  if (values.length !== expected) {
    throw new PathwayError(`has length ${values.length}, expected ${expected}`, { ...context, argument });
  }
}
