/**
 * `mcp-orchestrator serve` over real stdio (the built CLI as a child process, an SDK client), with a
 * real daemon beside it for part of the time: the AI's whole loop, from learning the actions to the
 * plan's result, and what serve answers when no daemon runs.
 */
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { execFile } from 'node:child_process';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { REPO_ROOT } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { BAD_PLAN, call, collectProgress, connectServe, fingerprint, textOf, twoStepPlan, type ServeConnection } from './helpers.js';

describe('serve over stdio', () => {
  let ws: Workspace;
  let serve: ServeConnection;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    ws = await createWorkspace({ daemon: { scanIntervalMs: 300, stabilityMs: 0 } });
    serve = await connectServe(ws.configPath);
  });
  afterAll(async () => {
    await serve?.close();
    await daemon?.stop();
    await ws?.cleanup();
  });

  it('drives the whole loop: actions, a bad plan, a submission, a human approval, progress per step, the result', async () => {
    const { client } = serve;
    const listed = await call(client, 'list_actions');
    const echo = listed.structuredContent?.actions.find((a: { name: string }) => a.name === 'echo');
    expect(echo).toMatchObject({ server: 'scripted', tool: 'echo', idempotent: true, keywords: ['say', 'echo'], server_health: { state: 'reachable' } });
    expect(echo.input_schema.required).toEqual(['text']);

    // Every problem of a bad plan, each with its step and line, and nothing written.
    const checked = await call(client, 'check_plan', { markdown: BAD_PLAN });
    expect(checked.isError).toBeFalsy();
    expect(checked.structuredContent?.valid).toBe(false);
    const problems = checked.structuredContent?.problems as { step: number; line: number; text: string }[];
    expect(problems.map((p) => [p.step, p.line])).toEqual([
      [1, 5],
      [2, 9],
      [3, 15],
    ]);
    expect(problems[0]?.text).toContain('unknown action "teleport"');
    expect(problems[1]?.text).toContain('argument "a" must be number');
    expect(problems[2]?.text).toContain('unknown step "nowhere"');

    // A good plan lands in Pending_Approval/ and nowhere else.
    const before = await fingerprint(ws.vault, ['Pending_Approval', 'Logs']);
    const submitted = await call(client, 'submit_plan', { markdown: twoStepPlan('loop-1'), name: 'loop plan' });
    expect(submitted.isError).toBeFalsy();
    expect(submitted.structuredContent).toMatchObject({ path: 'Pending_Approval/loop plan.md', id: 'loop-1', problems: [] });
    expect(await ws.list('Pending_Approval')).toEqual(['loop plan.md']);
    expect(await readFile(path.join(ws.vault, 'Pending_Approval', 'loop plan.md'), 'utf8')).toBe(twoStepPlan('loop-1'));
    expect(await fingerprint(ws.vault, ['Pending_Approval', 'Logs'])).toEqual(before);

    // No daemon yet: the plan simply waits for a human, and the wait says so.
    const early = await call(client, 'wait_for_plan', { id: 'loop-1', timeout_ms: 300 });
    expect(early.structuredContent).toMatchObject({ timed_out: true, folder: 'Pending_Approval', final: false });

    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updates.push(notification.params.uri));
    await client.subscribeResource({ uri: 'plan://loop-1' });

    daemon = startDaemon(ws.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the daemon to start');
    // The human approves: the file moves into Approved/.
    await rename(path.join(ws.vault, 'Pending_Approval', 'loop plan.md'), path.join(ws.vault, 'Approved', 'loop plan.md'));
    const progress = collectProgress(client, 'loop-1-wait');
    const waited = (await client.callTool(
      { name: 'wait_for_plan', arguments: { id: 'loop-1', timeout_ms: 20_000 }, _meta: { progressToken: 'loop-1-wait' } },
      undefined,
      { timeout: 25_000 },
    )) as { structuredContent: Record<string, any>; isError?: boolean };
    expect(waited.isError).toBeFalsy();
    expect(waited.structuredContent).toMatchObject({ timed_out: false, final: true, folder: 'Done', status: 'completed', path: 'Done/loop plan.md' });
    expect(waited.structuredContent.steps).toMatchObject([
      { index: 1, id: 'say', outcome: 'succeeded', result: 'hello from the loop', server: 'scripted', tool: 'echo' },
      { index: 2, outcome: 'succeeded', result: '5', server: 'scripted', tool: 'add' },
    ]);
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(progress[0]?.message).toContain('step 1 scripted.echo: succeeded');
    await waitFor(() => updates.includes('plan://loop-1'), 'a resource update for plan://loop-1');

    const got = await call(client, 'get_plan', { id: 'loop-1' });
    expect(got.structuredContent?.steps.map((s: { outcome: string; attempts: number }) => [s.outcome, s.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect(got.structuredContent?.execution_log).toHaveLength(2);
    expect(textOf(got)).toContain('plan loop-1 is in Done/, status completed, 2/2 step(s) succeeded');
    expect((await ws.calls()).map((c) => c.tool)).toEqual(['echo', 'add']);
  });

  it('cancels a plan waiting for approval into Rejected/, and says no daemon runs for one in In_Progress/', async () => {
    await daemon?.stop();
    daemon = undefined;
    const { client } = serve;
    await call(client, 'submit_plan', { markdown: twoStepPlan('to-cancel'), name: 'to-cancel' });
    const cancelled = await call(client, 'cancel_plan', { id: 'to-cancel', reason: 'the client changed their mind' });
    expect(cancelled.structuredContent).toMatchObject({ outcome: 'rejected', path: 'Rejected/to-cancel.md' });
    const text = await readFile(path.join(ws.vault, 'Rejected', 'to-cancel.md'), 'utf8');
    expect(text).toContain('status: cancelled');
    expect(text).toContain('cancelled before it ran: the client changed their mind');

    await ws.writePlan('stuck.md', twoStepPlan('stuck'), 'In_Progress');
    const refused = await call(client, 'cancel_plan', { id: 'stuck', reason: 'stop it' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('no daemon runs on this vault');
    expect(await ws.list('In_Progress')).toEqual(['stuck.md']);
    expect(await readFile(path.join(ws.vault, 'In_Progress', 'stuck.md'), 'utf8')).toBe(twoStepPlan('stuck'));
  });

  it('records update_status as an AGENT line, and in the Execution Log only where it is safe', async () => {
    const { client } = serve;
    await call(client, 'submit_plan', { markdown: twoStepPlan('reported'), name: 'reported' });
    const pending = await call(client, 'update_status', { agent_name: 'drafter', phase: 'review', status: 'waiting', message: 'asked Ana to approve', plan: 'reported' });
    expect(pending.structuredContent).toMatchObject({ recorded: true, plan_log: 'written' });
    expect(await readFile(path.join(ws.vault, 'Pending_Approval', 'reported.md'), 'utf8')).toMatch(/## Execution Log\n\n- .* agent drafter review waiting: asked Ana to approve\n$/);
    const done = await call(client, 'update_status', { agent_name: 'drafter', phase: 'after', status: 'ok', message: 'all sent', plan: 'loop-1' });
    expect(done.structuredContent).toMatchObject({ recorded: true, plan_log: 'not_written' });
    expect(await readFile(path.join(ws.vault, 'In_Progress', 'stuck.md'), 'utf8')).toBe(twoStepPlan('stuck'));
    const stuck = await call(client, 'update_status', { agent_name: 'drafter', phase: 'x', status: 'ok', message: 'note', plan: 'stuck' });
    expect(stuck.structuredContent).toMatchObject({ plan_log: 'not_written' });
    expect(await readFile(path.join(ws.vault, 'In_Progress', 'stuck.md'), 'utf8')).toBe(twoStepPlan('stuck'));
    await waitFor(async () => (await ws.readLog()).includes('AGENT - plan=reported status=waiting'), 'the AGENT line');
    const dashboard = await client.readResource({ uri: 'orchestrator://dashboard' });
    const content = dashboard.contents[0];
    expect(content && 'text' in content ? content.text : '').toContain('drafter review waiting: asked Ana to approve (plan reported)');
  });

  it('lists its tools to the MCP inspector CLI', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js'), '--cli', '--method', 'tools/list', '--', process.execPath, BIN, 'serve', '--config', ws.configPath],
      { env: { ...process.env, HOME: ws.dir, MCP_CATALOG_PATH: path.join(ws.dir, 'inspector.json') }, timeout: 25_000 },
    );
    const names = (JSON.parse(stdout) as { tools: { name: string }[] }).tools.map((tool) => tool.name);
    expect(names).toEqual(['list_actions', 'check_plan', 'submit_plan', 'list_plans', 'get_plan', 'wait_for_plan', 'cancel_plan', 'update_status']);
  });
});
