/**
 * Rewrites Dashboard.md when what it shows changed, at most once per `minIntervalMs` (a busy daemon
 * pokes it many times a second; Obsidian should not reload the note each time). Nothing is written
 * when the model is unchanged. Clock and timers are injected so the throttle is testable.
 */
export interface Timers {
  setTimeout(task: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (task, ms) => setTimeout(task, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface DashboardWriterOptions<M> {
  /** The current model; compared as JSON with the last one written. */
  readonly model: () => M;
  readonly render: (model: M, updatedAt: Date) => string;
  /** Atomic replacement of the file (writeFileAtomic). */
  readonly write: (text: string, model: M) => Promise<void>;
  readonly now: () => Date;
  readonly timers: Timers;
  readonly minIntervalMs: number;
  /** A failed write; the next change tries again. */
  readonly onError: (error: unknown) => void;
}

export class DashboardWriter<M> {
  private timer: unknown;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private lastKey: string | undefined;
  private lastWriteAt = -Infinity;

  constructor(private readonly options: DashboardWriterOptions<M>) {}

  /** Something may have changed: write soon (now, or once the interval since the last write is over). */
  poke(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer !== undefined || this.writing) return;
    const wait = Math.max(0, this.lastWriteAt + this.options.minIntervalMs - this.options.now().getTime());
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  /** Stops the timer and writes the final state (whatever the interval), once earlier writes are done. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.writeIfChanged();
  }

  private async flush(): Promise<void> {
    this.dirty = false;
    this.writing = this.writeIfChanged();
    await this.writing;
    this.writing = undefined;
    if (this.dirty) {
      this.dirty = false;
      this.poke();
    }
  }

  private async writeIfChanged(): Promise<void> {
    const model = this.options.model();
    const key = JSON.stringify(model);
    if (key === this.lastKey) return;
    const now = this.options.now();
    this.lastWriteAt = now.getTime();
    try {
      await this.options.write(this.options.render(model, now), model);
      this.lastKey = key;
    } catch (error) {
      this.options.onError(error);
    }
  }
}
