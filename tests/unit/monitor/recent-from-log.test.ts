import { describe, expect, it } from 'vitest';
import { recentFromLines } from '../../../src/monitor/recent-from-log.js';

const line = (seconds: number, fields: Record<string, unknown>) =>
  JSON.stringify({ ts: new Date(Date.UTC(2026, 11, 2, 10, 0, seconds)).toISOString(), ...fields });
const later = new Date(Date.UTC(2026, 11, 2, 11));

describe('recentFromLines', () => {
  const log = [
    line(0, { event: 'CLAIM', plan: 'a', file: 'a.md' }),
    line(1, { event: 'CALL', plan: 'a', step: 1, server: 's', tool: 't', action: 'echo' }),
    line(2, { event: 'SUCCESS', plan: 'a', step: 1, server: 's', tool: 't', action: 'echo' }),
    line(3, { event: 'DONE', plan: 'a' }),
    line(4, { event: 'CLAIM', plan: 'b', file: 'b.md' }),
    line(5, { event: 'FAILED', plan: 'b', step: 1, server: 's', tool: 'pay', error_type: 'timeout', message: 'no answer' }),
    line(6, { event: 'REVIEW', plan: 'b', error_type: 'timeout', message: 'outcome unknown' }),
    line(7, { event: 'CLAIM', plan: 'c', file: 'c.md' }),
    line(8, { event: 'FAILED', plan: 'c', step: 2, server: 's', tool: 'x', error_type: 'tool_error', message: 'boom' }),
    line(9, { event: 'FAILED', plan: 'c', status: 'failed', error_type: 'tool_error', message: 'step 2 failed' }),
    line(10, { event: 'CLAIM', plan: 'd', file: 'd.md' }),
    line(11, { event: 'FAILED', plan: 'd', status: 'invalid', error_type: 'validation', message: 'invalid plan: unknown action' }),
    'not json',
    line(12, { event: 'DEFERRED', plan: 'e', status: 'deferred', message: 'waits: server down' }),
  ];

  it('tells each step end and each plan that ended without one, newest first, as the live list does', () => {
    expect(recentFromLines(log, 20, later).map((a) => [a.action, a.outcome, a.file, a.reason])).toEqual([
      ['(server unavailable)', 'deferred', 'e', 'waits: server down'],
      ['(invalid plan)', 'failed', 'd.md', 'invalid plan: unknown action'],
      ['s.x', 'failed', 'c.md', 'tool_error: boom'],
      ['s.pay', 'needs_review', 'b.md', 'timeout: no answer'],
      ['echo', 'success', 'a.md', undefined],
    ]);
  });

  it('keeps at most `limit`, and leaves out lines of the current run', () => {
    expect(recentFromLines(log, 2, later)).toHaveLength(2);
    expect(recentFromLines(log, 20, new Date(Date.UTC(2026, 11, 2, 10, 0, 6))).map((a) => a.action)).toEqual(['s.pay', 'echo']);
  });
});
