// How an alert compares with the answer a benchmark gives (pure): per domain, when test accuracy
// starts its sustained rise and when it crosses 90%, and whether the alert came at or before that,
// late, never, or in a domain that never generalized.
import { sustainedRiseStart } from '@grokwatch/pathway';

export const GENERALIZED = 0.9;
export const MEMORIZED = 0.99;

export type Verdict = 'hit' | 'late' | 'miss' | 'false alert' | 'quiet';

export interface DomainVerdict {
  domain: string;
  /** First checkpoint with train accuracy >= 99%. */
  memorizedStep: number | null;
  /** Start of test accuracy's sustained rise (method.md 7's detector). */
  riseStep: number | null;
  /** First checkpoint with test accuracy >= 90%; null: the domain never generalized. */
  generalizedStep: number | null;
  finalTestAccuracy: number | null;
  alert: { startStep: number; endStep: number; agreeing: string[] } | null;
  /** Checkpoints from the alert's last step to the 90% crossing: >= 0 is at or before. */
  leadCheckpoints: number | null;
  verdict: Verdict;
}

export interface AlertLike {
  domain: string;
  startStep: number;
  endStep: number;
  agreeing: string[];
}

export function judgeDomain(
  domain: string,
  steps: readonly number[],
  test: readonly (number | null)[],
  train: readonly (number | null)[],
  alerts: readonly AlertLike[],
): DomainVerdict {
  const firstAt = (values: readonly (number | null)[], threshold: number): number | null => {
    const i = values.findIndex((v) => v !== null && v >= threshold);
    return i < 0 ? null : steps[i];
  };
  const known = steps.map((s, i) => ({ s, v: test[i] })).filter((p): p is { s: number; v: number } => p.v !== null && p.v !== undefined);
  const rise = known.length >= 2 ? sustainedRiseStart(known.map((p) => p.v)) : null;
  const generalizedStep = firstAt(test, GENERALIZED);
  const mine = alerts.filter((a) => a.domain === domain).sort((a, b) => a.endStep - b.endStep)[0];
  const alert = mine ? { startStep: mine.startStep, endStep: mine.endStep, agreeing: mine.agreeing } : null;
  const leadCheckpoints = alert && generalizedStep !== null ? steps.indexOf(generalizedStep) - steps.indexOf(alert.endStep) : null;
  let verdict: Verdict;
  if (generalizedStep === null) verdict = alert ? 'false alert' : 'quiet';
  else if (!alert) verdict = 'miss';
  else verdict = (leadCheckpoints as number) >= 0 ? 'hit' : 'late';
  return {
    domain,
    memorizedStep: firstAt(train, MEMORIZED),
    riseStep: rise === null ? null : (known[rise] as { s: number }).s,
    generalizedStep,
    finalTestAccuracy: known.length > 0 ? (known[known.length - 1] as { v: number }).v : null,
    alert,
    leadCheckpoints,
    verdict,
  };
}
