/** A request's deadline (deadline.ts): an answer handled after the timer ran, but before the loop turn ends, wins. */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { requestDeadline } from '../../../src/mcp/deadline.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('requestDeadline', () => {
  it('a request that settles in the same loop turn its deadline timer ran in is not timed out', async () => {
    const deadline = requestDeadline(5);
    // Due at the same time and queued after the deadline's timer: runs after it, as a read of waiting input would.
    await new Promise<void>((resolve) => setTimeout(() => (deadline.release(), resolve()), 5));
    await turn();
    await turn();
    expect(deadline.signal.aborted).toBe(false);
  });

  it('a request still unanswered one turn after its deadline is aborted with a RequestTimeout', async () => {
    const deadline = requestDeadline(5);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await turn();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(McpError);
    expect((deadline.signal.reason as McpError).code).toBe(ErrorCode.RequestTimeout);
    deadline.release();
  });

  it("the caller's signal aborts at once, with its own reason, and is unhooked on release", async () => {
    const parent = new AbortController();
    const deadline = requestDeadline(60_000, parent.signal);
    parent.abort(new Error('shutdown'));
    expect((deadline.signal.reason as Error).message).toBe('shutdown');
    deadline.release();
  });
});
