/** FIFO mutex: PGlite has exactly one connection, so whoever holds it (a query or a whole transaction) runs alone. */
export class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  async lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Hands the lock straight to the next waiter (it stays locked) or frees it. */
  unlock(): void {
    if (!this.locked) throw new Error('Mutex.unlock() called while not locked');
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}
