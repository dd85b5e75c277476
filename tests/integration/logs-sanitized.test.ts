/** A plan's secrets and e-mail addresses never appear unmasked in either log file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await createWorkspace({
    // send_open's schema takes any argument: a tool that does not would refuse these names before a call.
    actions: { send: { server: 'scripted', tool: 'send_open', idempotent: false, defaults: { api_token: 'tok-DEFAULT-123' } } },
  });
});
afterAll(async () => {
  await ws.cleanup();
});

describe('audit logs', () => {
  it('mask addresses and redact secrets in mcp_actions.log and mcp_actions.jsonl', async () => {
    const plan = [
      '---',
      'id: secret-plan',
      'approved_by: boss@company.example',
      '---',
      '## Steps',
      '- [ ] Send a message',
      '  ```yaml',
      '  action: send',
      '  to: client.person@example.com',
      '  body: "hello client.person@example.com"',
      '  password: hunter2-SECRET',
      '  nested: { authorization: "Bearer abc.SECRET.def", list: [ { client_secret: "s3cr3t-VALUE" } ] }',
      '  ```',
      '',
    ].join('\n');
    const file = await ws.writePlan('secret.md', plan);
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const calls = await ws.calls();
    expect(calls[0]?.args.to).toBe('client.person@example.com');
    for (const name of ['mcp_actions.log', 'mcp_actions.jsonl'] as const) {
      const log = await ws.readLog(name);
      expect(log).toContain('secret-plan');
      expect(log).toContain('CALL');
      for (const secret of ['client.person@example.com', 'hunter2-SECRET', 'abc.SECRET.def', 's3cr3t-VALUE', 'tok-DEFAULT-123', 'boss@company.example']) {
        expect(log, `${name} leaks ${secret}`).not.toContain(secret);
      }
      expect(log).toContain('[REDACTED]');
      expect(log).toMatch(/client\.person@\*\*\*\.com/);
    }
  });
});
