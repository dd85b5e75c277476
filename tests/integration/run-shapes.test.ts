/**
 * `run` on each plan shape, against the scripted MCP server over real stdio: the tools are called with
 * the plan's arguments, and the plan file records status, ticks and an Execution Log.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(async () => {
  await ws.cleanup();
});

describe('run: plan shapes', () => {
  it('runs a single-action approval file with its front-matter arguments', async () => {
    const file = await ws.writePlan(
      'approval.md',
      ['---', 'type: approval_request', 'action: echo', 'text: hello from the front matter', 'status: pending', '---', 'Ready.', ''].join('\n'),
    );
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const calls = await ws.calls();
    expect(calls.map((c) => [c.tool, c.args.text])).toEqual([['echo', 'hello from the front matter']]);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^status: completed$/m);
    expect(text).toMatch(/^completed_at: /m);
    expect(text).toContain('## Execution Log');
    expect(text).toContain('scripted.echo');
    expect(text).toContain('Ready.\n');
  });

  it('runs a checklist plan: yaml block, sub-bullets and keyword steps; skips ticked ones; leaves manual ones', async () => {
    const plan = [
      '---',
      'id: checklist-plan',
      '---',
      '# Plan: demo',
      '## Steps',
      '- [x] Already done: echo first',
      '- [ ] Add the numbers',
      '  ```yaml',
      '  id: sum',
      '  action: add',
      '  a: 2',
      '  b: 3',
      '  ```',
      '- [ ] Echo the result',
      '  - action: echo',
      '  - text: the sum is {{ steps.sum.structured.sum }}',
      '- [ ] Call the client by phone',
      '',
      'Notes stay as they are.',
      '',
    ].join('\n');
    const file = await ws.writePlan('checklist.md', plan);
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const calls = await ws.calls();
    expect(calls.map((c) => c.tool)).toEqual(['add', 'echo']);
    expect(calls[1]?.args.text).toBe('the sum is 5');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('- [x] Add the numbers');
    expect(text).toContain('- [x] Echo the result');
    expect(text).toContain('- [ ] Call the client by phone');
    expect(text).toContain('Notes stay as they are.');
    expect(text).toMatch(/^status: completed$/m);
  });

  it('matches a free-text step to an action by its keywords', async () => {
    const file = await ws.writePlan(
      'keywords.md',
      ['---', 'id: kw', '---', '## Steps', '- [ ] Say hello to the team', '  - text: hello team', ''].join('\n'),
    );
    expect((await runCli(['--config', ws.configPath, 'run', file])).code).toBe(0);
    expect((await ws.calls()).map((c) => [c.tool, c.args.text])).toEqual([['echo', 'hello team']]);
  });

  it('runs front-matter steps with params, ids and depends_on', async () => {
    const plan = [
      '---',
      'id: fm-steps',
      'mode: parallel',
      'steps:',
      '  - id: first',
      '    action: add',
      '    params: { a: 20, b: 22 }',
      '  - id: second',
      '    action: echo',
      '    depends_on: [first]',
      '    args: { text: "answer {{ steps.first.text }}" }',
      '---',
      'Body.',
      '',
    ].join('\n');
    const file = await ws.writePlan('fm.md', plan);
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const calls = await ws.calls();
    expect(calls.map((c) => c.tool)).toEqual(['add', 'echo']);
    expect(calls[1]?.args.text).toBe('answer 42');
  });

  it('passes a stable idempotency key in _meta and as an argument where the tool accepts one', async () => {
    const plan = ['---', 'id: keyed', 'action: send', 'to: a@example.com', 'body: hi', '---', ''].join('\n');
    const file = await ws.writePlan('keyed.md', plan);
    expect((await runCli(['--config', ws.configPath, 'run', file])).code).toBe(0);
    const [call] = await ws.calls();
    expect(call?.meta?.idempotency_key).toMatch(/^keyed:1:[0-9a-f]{12}$/);
    expect(call?.args.idempotency_key).toBe(call?.meta?.idempotency_key);
  });
});
