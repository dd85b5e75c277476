/** Monotonic time (the clock the no-op server reports in) and small waiting helpers. */
import { setTimeout as sleep } from 'node:timers/promises';

export const hrNow = () => process.hrtime.bigint();
export const msBetween = (from, to) => Number(to - from) / 1e6;
export { sleep };

/** Polls `condition` every `everyMs` until it holds; throws after `timeoutMs` naming `what`. */
export async function until(condition, what, timeoutMs = 30_000, everyMs = 2) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
