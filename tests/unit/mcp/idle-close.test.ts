import { describe, expect, it } from 'vitest';
import { IdleCloser, type IdleTimers } from '../../../src/mcp/idle-close.js';

/** Timers run by hand: `advance(ms)` fires what is due. */
function manualTimers(): IdleTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; task: () => void }>();
  return {
    setTimeout(task, ms) {
      const id = next++;
      due.set(id, { at: now + ms, task });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...due]) {
        if (timer.at <= now) {
          due.delete(id);
          timer.task();
        }
      }
    },
    pending: () => due.size,
  };
}

describe('IdleCloser', () => {
  it('fires once no request has been in flight for the whole timeout', () => {
    const timers = manualTimers();
    let closed = 0;
    const idle = new IdleCloser(1_000, () => closed++, timers);
    idle.enter();
    timers.advance(5_000);
    expect(closed).toBe(0); // a request in flight, however long, keeps it up
    idle.leave();
    timers.advance(999);
    expect(closed).toBe(0);
    idle.enter(); // a new request just in time starts the count afresh
    idle.leave();
    timers.advance(999);
    expect(closed).toBe(0);
    timers.advance(1);
    expect(closed).toBe(1);
  });

  it('counts overlapping requests, never fires with 0, and stops for good', () => {
    const timers = manualTimers();
    let closed = 0;
    const idle = new IdleCloser(100, () => closed++, timers);
    idle.enter();
    idle.enter();
    idle.leave();
    timers.advance(200);
    expect(closed).toBe(0);
    idle.leave();
    idle.stop();
    timers.advance(200);
    expect(closed).toBe(0);
    const never = new IdleCloser(0, () => closed++, timers);
    never.enter();
    never.leave();
    expect(timers.pending()).toBe(0);
  });
});
