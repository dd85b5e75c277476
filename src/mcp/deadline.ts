/**
 * A request's deadline, judged by when its answer arrived, not by when this process got round to
 * looking at it.
 *
 * Why not the SDK's `timeout`: its timer rejects the request the moment it runs. After this process was
 * stopped (SIGSTOP, a suspended laptop or VM, a long pause), every timer that came due meanwhile runs
 * BEFORE input already waiting is read: on SIGCONT, libuv's epoll_wait returns EINTR and the loop goes
 * round to its timers phase first. An answer that arrived in time would be read as a timeout, and its
 * step sent again or sent to review for nothing.
 *
 * So the timer does not decide at once: it waits one `setImmediate`, which runs after the event loop's
 * next poll phase has read what is in the pipe or socket. An answer found there settles the request
 * first (the transports hand a complete message to the SDK while reading it), `release()` follows in
 * the caller's `finally`, and no timeout is declared. A request with no answer waiting is declared timed
 * out one loop turn later: microseconds. The caller's own signal (shutdown) still aborts at once.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { scopedSignal } from './scoped-signal.js';

/** What the SDK is given as its own timeout: never the one that decides (setTimeout's largest delay). */
export const SDK_TIMEOUT_MS = 2_147_483_647;

interface RequestDeadline {
  /** For the SDK request: aborted by the caller's signal, or with an McpError RequestTimeout at the deadline. */
  readonly signal: AbortSignal;
  /** The request settled: drop the timers and the link to the caller's signal. */
  release(): void;
}

export function requestDeadline(timeoutMs: number, parent?: AbortSignal): RequestDeadline {
  const scoped = scopedSignal(parent);
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    // Read what is waiting first (see the header): only an answer still missing after that is late.
    immediate = setImmediate(() => scoped.abort(new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: timeoutMs })));
  }, timeoutMs);
  return {
    signal: scoped.signal,
    release() {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      scoped.release();
    },
  };
}
