import { describe, expect, it } from 'vitest';
import { formatHumanLine, formatJsonLine, prepareEvent } from '../../../src/audit/format.js';
import { formatLocalDateTime } from '../../../src/core/text.js';

const at = new Date(2026, 1, 16, 14, 20, 30); // local time
const on = { logParameters: true, sanitize: true };

describe('formatHumanLine', () => {
  it('writes the spec’s line shape with local time', () => {
    const line = formatHumanLine({ event: 'CALL', server: 'email-server', tool: 'send_email', plan: '20260216-141530-Plan', step: 2 }, at);
    expect(line).toBe('[2026-02-16 14:20:30] [MCP_ORCHESTRATOR] CALL - email-server.send_email plan=20260216-141530-Plan step=2');
  });

  it('adds attempt, status, error type, duration, params and message, on one line', () => {
    const line = formatHumanLine(
      {
        event: 'FAILED', server: 's', tool: 't', plan: 'p', step: 1, attempt: 3, status: 'failed',
        error_type: 'timeout', duration_ms: 30000, params: { to: 'a@***.com' }, message: 'deadline\npassed "soon"',
      },
      at,
    );
    expect(line).toBe(
      '[2026-02-16 14:20:30] [MCP_ORCHESTRATOR] FAILED - s.t plan=p step=1 attempt=3 status=failed error_type=timeout ' +
        'duration_ms=30000 params={"to":"a@***.com"} message="deadline\\npassed \\"soon\\""',
    );
  });

  it('quotes a plan id with spaces so the line stays parseable', () => {
    expect(formatHumanLine({ event: 'CLAIM', plan: 'my plan' }, at)).toBe('[2026-02-16 14:20:30] [MCP_ORCHESTRATOR] CLAIM - plan="my plan"');
  });
});

describe('formatJsonLine', () => {
  it('writes UTC ISO ts and only the fields present', () => {
    const utc = new Date('2026-02-16T14:20:30.123Z');
    const line = formatJsonLine({ event: 'SUCCESS', plan: 'p', step: 2, duration_ms: 412, params: { a: 1 } }, utc);
    expect(JSON.parse(line)).toEqual({ ts: '2026-02-16T14:20:30.123Z', event: 'SUCCESS', plan: 'p', step: 2, duration_ms: 412, params: { a: 1 } });
    expect(line).not.toContain('\n');
  });
});

describe('prepareEvent', () => {
  const event = { event: 'PARAMS', approved_by: 'boss@company.com', params: { to: 'c@x.org', token: 't' }, message: 'sent to c@x.org' } as const;

  it('masks params, message and other strings when sanitize is on', () => {
    expect(prepareEvent(event, on)).toEqual({
      event: 'PARAMS', approved_by: 'boss@***.com', params: { to: 'c@***.org', token: '[REDACTED]' }, message: 'sent to c@***.org',
    });
  });

  it('drops params when logParameters is off', () => {
    expect(prepareEvent(event, { logParameters: false, sanitize: true })).not.toHaveProperty('params');
  });

  it('keeps values as they are when sanitize is off', () => {
    expect(prepareEvent(event, { logParameters: true, sanitize: false })).toEqual(event);
  });
});

describe('formatLocalDateTime', () => {
  it('pads every field', () => {
    expect(formatLocalDateTime(new Date(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05');
  });
});
