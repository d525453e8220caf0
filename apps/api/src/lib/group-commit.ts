/**
 * Group commit at the application level: the items that arrive while a batch is being written wait for it
 * and are then written together, up to `cap` at a time, by one call of `writeBatch` (one statement, one
 * commit). Each caller's promise settles only when its own item is durable: after the batch's commit, or
 * after its own write. A lone item, a batch that fails, and a batch that `writeBatch` declines (`null`)
 * are written one by one through `writeOne`, so that one bad item fails alone, with its own error.
 *
 * Up to `inFlight` batches are written at once. A shared row lock (the daily ticket counter) still lets only
 * one of them past it at a time, but the next batch is sent, bound and planned, and does its work before the
 * lock, while the one ahead of it holds the lock; a second batch starts only once `minNext` items wait, so
 * that it is not a handful of items queued behind a full one. Three in flight: the bench's submit ran at 2,058–2,068
 * req/s with two, 2,216–2,241 with three and 2,139 with four (docs/performance.md item 18).
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (out: O) => void; reject: (err: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly writeBatch: (items: I[]) => Promise<O[] | null>,
    private readonly writeOne: (item: I) => Promise<O>,
    private readonly cap = 64,
    private readonly inFlight = 3,
    private readonly minNext = 8,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Starts a batch on the next turn of the event loop, so that the submissions of this turn join it. */
  private schedule() {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.mayStart()) void this.write(this.queue.splice(0, this.cap));
    });
  }

  /** Whether another batch may start now: items wait, a slot is free, and a second batch would not be a handful. */
  private mayStart() {
    return this.queue.length > 0 && this.running < this.inFlight && (this.running === 0 || this.queue.length >= this.minNext);
  }

  private async write(batch: typeof this.queue) {
    this.running += 1;
    try {
      const written = batch.length > 1 ? await this.writeBatch(batch.map((b) => b.item)).catch(() => null) : null;
      if (written) {
        for (const [i, b] of batch.entries()) b.resolve(written[i] as O);
      } else {
        // Not batched: each on its own path, concurrently (they queue on the database as single writes do).
        await Promise.all(batch.map((b) => this.writeOne(b.item).then(b.resolve, b.reject)));
      }
    } finally {
      this.running -= 1;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
