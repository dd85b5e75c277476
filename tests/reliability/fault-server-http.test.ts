/**
 * The faults of a Streamable HTTP MCP server, through the real `run` command (SPEC §7, §9.4): HTTP
 * statuses, a dropped socket, bodies that are not JSON-RPC, SSE floods, the server dying mid-call.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createFaultWorkspace, faultPlan, startFaultHttp, statusOf, type FaultWorkspace } from './fault-helpers.js';

const DEADLINE_MS = 800;

let ws: FaultWorkspace;
let http: Awaited<ReturnType<typeof startFaultHttp>>;

/** Adds an HTTP server `name` with actions `<name>` (not idempotent) and `<name>_idem`. */
async function addHttpServer(workspace: FaultWorkspace, name: string, url: string): Promise<void> {
  const config = JSON.parse(await readFile(workspace.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
  config.mcpServers = { ...config.mcpServers, [name]: { type: 'http', url } };
  config.actions = {
    ...config.actions,
    [name]: { server: name, tool: 'fault', idempotent: false },
    [`${name}_idem`]: { server: name, tool: 'fault', idempotent: true },
  };
  await writeFile(workspace.configPath, JSON.stringify(config, null, 2));
}

beforeAll(async () => {
  ws = await createFaultWorkspace({ execution: { timeoutMs: 10_000, maxRetries: 2, retryDelayMs: 10, deferDelayMs: 60_000 } });
  http = await startFaultHttp({ CALLS_FILE: ws.callsFile });
  await addHttpServer(ws, 'remote', http.url);
});
afterAll(async () => {
  await http.stop();
  await ws.cleanup();
});

async function runCase(workspace: FaultWorkspace, name: string, action: string, script: readonly string[], deadlineMs = DEADLINE_MS) {
  const file = await workspace.writePlan(`${name}.md`, faultPlan(name, [{ action, name, script, extra: `timeout_ms: ${deadlineMs}` }]));
  const started = Date.now();
  const result = await runCli(['--config', workspace.configPath, 'run', file]);
  const elapsed = Date.now() - started;
  const text = await readFile(file, 'utf8');
  const calls = (await workspace.faultCalls()).filter((call) => call.args.name === name);
  return { code: result.code, status: statusOf(text), calls: calls.length, error: /^error: (.*)$/m.exec(text)?.[1], elapsed };
}

interface Case {
  readonly script: readonly string[];
  readonly action: 'remote' | 'remote_idem';
  readonly status: string;
  readonly calls: number;
  readonly type?: string;
  /** The step's deadline, when not DEADLINE_MS. */
  readonly deadlineMs?: number;
}

const CASES: Record<string, Case> = {
  'an answer completes the plan': { script: ['ok'], action: 'remote', status: 'completed', calls: 1 },
  'a server error result is retried': { script: ['fail:server_error', 'ok'], action: 'remote', status: 'completed', calls: 2 },
  'HTTP 401 is an authentication failure, never retried': { script: ['httpstatus:401'], action: 'remote', status: 'failed', calls: 1, type: 'authentication' },
  'HTTP 400 is a validation failure, never retried': { script: ['httpstatus:400'], action: 'remote', status: 'failed', calls: 1, type: 'validation' },
  'HTTP 429 is retried, then defers the plan': { script: ['httpstatus:429'], action: 'remote', status: 'deferred', calls: 3, type: 'rate_limit' },
  'HTTP 500 is a retried server error': { script: ['httpstatus:500', 'ok'], action: 'remote', status: 'completed', calls: 2 },
  'a hang past the deadline: Needs_Review, sent once': { script: ['hang'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a socket destroyed after the request: Needs_Review': { script: ['drop'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a socket destroyed after the request, idempotent: retried': { script: ['drop', 'ok'], action: 'remote_idem', status: 'completed', calls: 2 },
  'a body that is not JSON: Needs_Review': { script: ['garbage'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'JSON that is not JSON-RPC: Needs_Review': { script: ['notjsonrpc'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  // The request reached a server, which answered 200 with a web page: the call may have acted (issue 12).
  'HTTP 200 with an HTML page: an unknown outcome, Needs_Review, sent once': { script: ['html'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'an answer to another request id: Needs_Review': { script: ['wrongid'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  'a result that is not a CallToolResult: Needs_Review': { script: ['badresult'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
  // Moving and parsing 20 MB may take longer than 800 ms on a busy machine: the deadline is not the point here.
  'a 20 MB result completes': { script: ['huge:20000000'], action: 'remote', status: 'completed', calls: 1, deadlineMs: 5_000 },
  'an SSE flood of progress notifications, then the answer': { script: ['flood:300'], action: 'remote', status: 'completed', calls: 1 },
  'SSE progress notifications without end do not stretch the deadline': { script: ['floodhang'], action: 'remote', status: 'needs_review', calls: 1, type: 'ambiguous' },
};

describe('faults of a Streamable HTTP server, through `run`', () => {
  let n = 0;
  it.each(Object.entries(CASES))('%s', async (_title, c) => {
    const deadlineMs = c.deadlineMs ?? DEADLINE_MS;
    const r = await runCase(ws, `http${++n}`, c.action, c.script, deadlineMs);
    expect({ code: r.code, status: r.status, calls: r.calls }, r.error).toEqual({
      code: c.status === 'completed' ? 0 : 1,
      status: c.status,
      calls: c.calls,
    });
    if (c.type) expect(r.error).toContain(`remote.fault: ${c.type}:`);
    expect(r.elapsed).toBeLessThan(c.calls * 2 * deadlineMs + 5_000);
  });

  // SPEC §7: "timeout ... after the request was sent" is an unknown outcome. A gateway timeout (504) or
  // bad gateway (502) comes from a proxy after it forwarded the request, so the server may have acted.
  it('HTTP 504 after the request was forwarded is an unknown outcome: Needs_Review, sent once', async () => {
    const r = await runCase(ws, 'gateway504', 'remote', ['httpstatus:504']);
    expect({ status: r.status, calls: r.calls }).toEqual({ status: 'needs_review', calls: 1 });
  });

  // Issue 12: a 429's Retry-After is read (a fetch given to the transport sees the header the SDK drops).
  it('HTTP 429 with Retry-After: 2 is retried no sooner than 2 s later', async () => {
    const r = await runCase(ws, 'retry-after-2', 'remote', ['httpstatus:429:2', 'ok']);
    expect({ status: r.status, calls: r.calls }, r.error).toEqual({ status: 'completed', calls: 2 });
    const [first, second] = (await ws.faultCalls()).filter((call) => call.args.name === 'retry-after-2');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
  });

  it('HTTP 429 with a Retry-After longer than a call waits (120 s): deferred to then, not retried now', async () => {
    const started = Date.now();
    const r = await runCase(ws, 'retry-after-120', 'remote', ['httpstatus:429:120', 'ok']);
    expect({ status: r.status, calls: r.calls }, r.error).toEqual({ status: 'deferred', calls: 1 });
    expect(r.error).toMatch(/remote\.fault: rate_limit: .*HTTP 429 Too Many Requests.*Retry-After/);
    const text = await readFile(path.join(ws.vault, 'Plans', 'retry-after-120.md'), 'utf8');
    const retryAt = Date.parse(/^retry_at: "?([^"\n]+)"?$/m.exec(text)?.[1] ?? '');
    expect(retryAt - started).toBeGreaterThanOrEqual(119_000);
    expect(retryAt - started).toBeLessThan(130_000);
  });

  it('the server dying mid-call: Needs_Review; the next plan is deferred while it is down', async () => {
    const dying = await startFaultHttp({ CALLS_FILE: ws.callsFile });
    await addHttpServer(ws, 'dying', dying.url);
    try {
      const first = await runCase(ws, 'dies', 'dying', ['exit']);
      expect({ status: first.status, calls: first.calls }).toEqual({ status: 'needs_review', calls: 1 });
      expect(first.error).toContain('dying.fault: ambiguous:');
      const second = await runCase(ws, 'after-death', 'dying', ['ok']);
      expect({ status: second.status, calls: second.calls }).toEqual({ status: 'deferred', calls: 0 });
    } finally {
      await dying.stop();
    }
  });
});
