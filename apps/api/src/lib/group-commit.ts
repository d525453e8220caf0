/**
 * Group commit at the application level: the items that arrive while a batch is being written wait for it
 * and are then written together, up to `cap` at a time, by one call of `writeBatch` (one statement, one
 * commit). Each caller's promise settles only when its own item is durable: after the batch's commit, or
 * after its own write. A lone item, a batch that fails, and a batch that `writeBatch` declines (`null`)
 * are written one by one through `writeOne`, so that one bad item fails alone, with its own error.
 *
 * One batch is in flight at a time per instance: a shared row lock (the daily ticket counter) would
 * serialise two batches anyway, and the queue fills while the database works.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (out: O) => void; reject: (err: unknown) => void }[] = [];
  private busy = false;

  constructor(
    private readonly writeBatch: (items: I[]) => Promise<O[] | null>,
    private readonly writeOne: (item: I) => Promise<O>,
    private readonly cap = 64,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain() {
    this.busy = true;
    try {
      // Let the submissions that arrived in the same turn of the event loop join the first batch.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.cap);
        const written = batch.length > 1 ? await this.writeBatch(batch.map((b) => b.item)).catch(() => null) : null;
        if (written) {
          for (const [i, b] of batch.entries()) b.resolve(written[i] as O);
        } else {
          // Not batched: each on its own path, concurrently (they queue on the database as single writes do).
          await Promise.all(batch.map((b) => this.writeOne(b.item).then(b.resolve, b.reject)));
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
