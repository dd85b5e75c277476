/**
 * Every fault a stdio MCP server can commit, through the real `run` command (SPEC §7, §9.4): each ends
 * in the right classification and plan status, is retried only when that is safe, never outlasts its
 * deadline by much, and never takes the orchestrator down.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createFaultWorkspace, faultPlan, statusOf, type FaultWorkspace } from './fault-helpers.js';

/** The per-call deadline of every step here; connecting gets the roomier execution.timeoutMs. */
const DEADLINE_MS = 800;

let ws: FaultWorkspace;
beforeAll(async () => {
  ws = await createFaultWorkspace({ execution: { timeoutMs: 10_000, maxRetries: 2, retryDelayMs: 10, deferDelayMs: 60_000 } });
});
afterAll(async () => {
  await ws.cleanup();
});

interface Case {
  readonly script: readonly string[];
  readonly action: 'fault' | 'fault_idem';
  readonly status: 'completed' | 'failed' | 'needs_review' | 'deferred';
  readonly calls: number;
  /** The error type named in the plan's `error:` field. */
  readonly type?: string;
  /** A roomier deadline for cases that must succeed (or restart the server) even on a loaded machine. */
  readonly deadlineMs?: number;
  /** Was the server process restarted between the two calls (true) or kept (false)? */
  readonly restarted?: boolean;
}

const CASES: Record<string, Case> = {
  'an answer completes the plan': { script: ['ok'], action: 'fault', status: 'completed', calls: 1 },
  'a validation error fails at once': { script: ['fail:validation'], action: 'fault', status: 'failed', calls: 1, type: 'validation' },
  'an authentication error fails at once': { script: ['fail:authentication'], action: 'fault', status: 'failed', calls: 1, type: 'authentication' },
  'a tool error fails at once': { script: ['fail:tool_error'], action: 'fault', status: 'failed', calls: 1, type: 'tool_error' },
  'a server error is retried, even for a non-idempotent action': { script: ['fail:server_error', 'ok'], action: 'fault', status: 'completed', calls: 2 },
  'a server error past the retry budget fails': { script: ['fail:server_error'], action: 'fault', status: 'failed', calls: 3, type: 'server_error' },
  'a rate limit is retried after its Retry-After': { script: ['fail:rate_limit:20', 'ok'], action: 'fault', status: 'completed', calls: 2 },
  'a rate limit past the budget defers the plan': { script: ['fail:rate_limit:20'], action: 'fault', status: 'deferred', calls: 3, type: 'rate_limit' },
  'a timeout the server reports is an unknown outcome: Needs_Review': { script: ['fail:timeout'], action: 'fault', status: 'needs_review', calls: 1, type: 'timeout' },
  'a reported timeout of an idempotent action is retried': { script: ['fail:timeout'], action: 'fault_idem', status: 'failed', calls: 3, type: 'timeout' },
  'an ambiguous result of a non-idempotent action: Needs_Review': { script: ['fail:ambiguous'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'an ambiguous result of an idempotent action is retried': { script: ['fail:ambiguous', 'ok'], action: 'fault_idem', status: 'completed', calls: 2 },
  'a JSON-RPC internal error is a retried server error': { script: ['rpcerror:-32603', 'ok'], action: 'fault', status: 'completed', calls: 2 },
  'a JSON-RPC invalid-params error is a validation failure': { script: ['rpcerror:-32602'], action: 'fault', status: 'failed', calls: 1, type: 'validation' },
  'a hang past the deadline: Needs_Review, sent once': { script: ['hang'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a hang of an idempotent action is retried': { script: ['hang', 'ok'], action: 'fault_idem', status: 'completed', calls: 2, restarted: false },
  'a slow answer within the deadline completes': { script: ['slow:100'], action: 'fault', status: 'completed', calls: 1, deadlineMs: 5_000 },
  'a slow answer past the deadline: Needs_Review': { script: ['slow:5000'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'the server exiting mid-call: Needs_Review, sent once': { script: ['exit'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'the server exiting mid-call of an idempotent action: restarted, retried': { script: ['exit', 'ok'], action: 'fault_idem', status: 'completed', calls: 2, deadlineMs: 1_500, restarted: true },
  'the server closing its output after the request: Needs_Review': { script: ['drop'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a server that closed its output is restarted for the retry': { script: ['drop', 'ok'], action: 'fault_idem', status: 'completed', calls: 2, deadlineMs: 1_500, restarted: true },
  'a line that is not JSON: Needs_Review': { script: ['garbage'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a line that is not JSON, idempotent: retried on the same connection': { script: ['garbage', 'ok'], action: 'fault_idem', status: 'completed', calls: 2, restarted: false },
  'JSON that is not JSON-RPC: Needs_Review': { script: ['notjsonrpc'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'an answer to another request id: Needs_Review': { script: ['wrongid'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a result that is not a CallToolResult: Needs_Review': { script: ['badresult'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a 4 MB result completes': { script: ['huge:4000000'], action: 'fault', status: 'completed', calls: 1 },
  'a result over the 10 MB stdio frame limit drops the connection; idempotent: retried': { script: ['huge:12000000', 'ok'], action: 'fault_idem', status: 'completed', calls: 2, deadlineMs: 1_500, restarted: true },
  'a flood of progress notifications, then the answer': { script: ['flood:1000'], action: 'fault', status: 'completed', calls: 1, deadlineMs: 5_000 },
  'progress notifications without end do not stretch the deadline': { script: ['floodhang'], action: 'fault', status: 'needs_review', calls: 1, type: 'ambiguous' },
};

describe('faults of a stdio server, through `run`', () => {
  let n = 0;
  it.each(Object.entries(CASES))('%s', async (_title, c) => {
    const name = `case${++n}`;
    const deadline = c.deadlineMs ?? DEADLINE_MS;
    const file = await ws.writePlan(`${name}.md`, faultPlan(name, [{ action: c.action, name, script: c.script, extra: `timeout_ms: ${deadline}` }]));
    const started = Date.now();
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    const elapsed = Date.now() - started;
    const text = await readFile(file, 'utf8');
    const calls = (await ws.faultCalls()).filter((call) => call.args.name === name);

    expect(result.code, result.stdout + result.stderr).toBe(c.status === 'completed' ? 0 : 1);
    expect(statusOf(text), text).toBe(c.status);
    expect(calls).toHaveLength(c.calls);
    if (c.type) expect(/^error: (.*)$/m.exec(text)?.[1]).toContain(`fault.fault: ${c.type}:`);
    if (c.restarted !== undefined) expect(calls[0]?.pid !== calls[1]?.pid).toBe(c.restarted);
    if (c.status === 'deferred') expect(text).toMatch(/^retry_at: /m);
    // Each attempt is bounded by its deadline plus one liveness ping; the rest is process start-up.
    expect(elapsed).toBeLessThan(c.calls * 2 * deadline + 6_000);
    // A result, however large, leaves a bounded trace in the plan file.
    expect(text.length).toBeLessThan(5_000);
  });

  it('the plan is deferred, not failed, when the server cannot even start', async () => {
    const broken = await createFaultWorkspace({ faultEnv: { FAULT_ON_START: 'exit' }, execution: { deferDelayMs: 60_000 } });
    try {
      const file = await broken.writePlan('nostart.md', faultPlan('nostart', [{ action: 'fault', name: 'nostart', script: ['ok'] }]));
      const result = await runCli(['--config', broken.configPath, 'run', file]);
      const text = await readFile(file, 'utf8');
      expect(result.code).toBe(1);
      expect(statusOf(text)).toBe('deferred');
      expect(text).toMatch(/could not list its tools/);
      expect(await broken.faultCalls()).toHaveLength(0);
    } finally {
      await broken.cleanup();
    }
  });
});
