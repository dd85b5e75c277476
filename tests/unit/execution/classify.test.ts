/** The one classifier (SPEC §7): what a server's own answer says about whether anything was sent. */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { isUnknownOutcome } from '../../../src/core/errors.js';
import { classifyError, classifyResult } from '../../../src/execution/classify.js';
import { dispositionAfter } from '../../../src/execution/decide.js';
import { McpCallError } from '../../../src/mcp/errors.js';

const failure = (structured: Record<string, unknown>) => ({ isError: true, content: [], structuredContent: structured });
const context = { idempotent: false, now: new Date('2026-02-05T11:00:00Z'), deferDelayMs: 60_000 };

describe('classifyResult: the server says whether it sent', () => {
  it('a connection error with sent: false is no unknown outcome: deferred, never to review', () => {
    const error = classifyResult(failure({ error_type: 'connection', message: 'ECONNREFUSED; nothing was sent', sent: false }));
    expect(error).toMatchObject({ type: 'connection', sent: false });
    expect(isUnknownOutcome(error!)).toBe(false);
    expect(dispositionAfter(error!, context)).toEqual({ kind: 'deferred', retryAt: new Date('2026-02-05T11:01:00Z') });
  });

  it('a timeout with sent: false (DNS, connect timeout) is deferred too', () => {
    const error = classifyResult(failure({ error_type: 'timeout', message: 'connect timed out', sent: false }));
    expect(dispositionAfter(error!, context).kind).toBe('deferred');
  });

  it('a server that does not say (a third-party server) leaves a connection error unknown', () => {
    const error = classifyResult(failure({ error_type: 'connection', message: 'lost' }));
    expect(error).toMatchObject({ type: 'connection', sent: true });
    expect(dispositionAfter(error!, context).kind).toBe('needs_review');
  });

  it('sent: true keeps an ambiguous error unknown', () => {
    const error = classifyResult(failure({ error_type: 'ambiguous', message: 'dropped after DATA', sent: true }));
    expect(dispositionAfter(error!, context).kind).toBe('needs_review');
  });
});

describe('classifyError: a failure after the request left is an unknown outcome', () => {
  it('HTTP 200 with an HTML page (SDK: unexpected content type, code -1) is ambiguous', () => {
    const cause = new StreamableHTTPError(-1, 'Unexpected content type: text/html');
    const error = classifyError(new McpCallError('remote', 'call', 'remote.fault: unexpected content type', { cause }));
    expect(error).toMatchObject({ type: 'ambiguous', sent: true });
  });

  it('the same before the call was sent (listing tools) is no unknown outcome', () => {
    const cause = new StreamableHTTPError(-1, 'Unexpected content type: text/html');
    const error = classifyError(new McpCallError('remote', 'connect', 'remote: could not list tools', { cause }));
    expect(isUnknownOutcome(error)).toBe(false);
  });
});
