import type { JobKind } from '../contracts.js';
import { JobCancelledError } from '../errors.js';

/** How long a bus remembers a cancellation, so a job it receives afterwards is terminated unrun. */
const REMEMBER_MS = 10 * 60_000;

/** The running jobs of one bus connection, by kind and id, so a cancel request can abort them. */
export class CancelRegistry {
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly cancelled = new Map<string, number>();

  register(kind: JobKind, jobId: string, controller: AbortController): () => void {
    const key = `${kind}:${jobId}`;
    let set = this.running.get(key);
    if (!set) this.running.set(key, (set = new Set()));
    set.add(controller);
    return () => {
      set.delete(controller);
      if (set.size === 0) this.running.delete(key);
    };
  }

  cancel(kind: JobKind, jobId: string, now = Date.now()): void {
    const key = `${kind}:${jobId}`;
    for (const [k, until] of this.cancelled) if (until < now) this.cancelled.delete(k);
    this.cancelled.set(key, now + REMEMBER_MS);
    for (const c of this.running.get(key) ?? []) c.abort(new JobCancelledError(kind, jobId));
  }

  wasCancelled(kind: JobKind, jobId: string, now = Date.now()): boolean {
    const until = this.cancelled.get(`${kind}:${jobId}`);
    return until !== undefined && until >= now;
  }
}
