// The step under the pointer, shared by every chart so a hover on one shows the same checkpoint
// on all of them.

export type StepListener = (step: number | null) => void;

export class StepHover {
  private readonly listeners = new Set<StepListener>();
  private current: number | null = null;

  get step(): number | null {
    return this.current;
  }

  set(step: number | null): void {
    if (step === this.current) return;
    this.current = step;
    for (const fn of [...this.listeners]) fn(step);
  }

  /**
   * Listens while `owner` is in the document: charts are replaced on every refresh, and a
   * replaced chart's listener removes itself the next time the step changes.
   */
  follow(owner: Element, fn: StepListener): void {
    const wrapped: StepListener = (step) => {
      if (!owner.isConnected) {
        this.listeners.delete(wrapped);
        return;
      }
      fn(step);
    };
    this.listeners.add(wrapped);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
