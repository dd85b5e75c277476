/**
 * When to stop an unused stdio server (SPEC §6 `idleTimeoutMs`): a server that has had no request in
 * flight for that long is closed, and the next request starts it again. The count of requests in
 * flight, not the time of the last one, decides, so a call that runs longer than the timeout is never
 * cut. A tiny state machine, hand-written because the timer must follow the connection's own requests.
 */

export interface IdleTimers {
  setTimeout(task: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: IdleTimers = {
  setTimeout: (task, ms) => {
    const handle = setTimeout(task, ms);
    handle.unref(); // an idle timer alone never keeps the process alive
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class IdleCloser {
  private inFlight = 0;
  private timer: unknown;

  /** `idleMs` 0: never closes. */
  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
    private readonly timers: IdleTimers = realTimers,
  ) {}

  /** A request starts (connecting included). */
  enter(): void {
    this.inFlight += 1;
    this.disarm();
  }

  /** A request ended, whatever its outcome. */
  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight > 0 || this.idleMs === 0) return;
    this.disarm();
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight === 0) this.onIdle();
    }, this.idleMs);
  }

  /** The connection closed for good. */
  stop(): void {
    this.disarm();
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
