/**
 * Sent or not (SPEC §7, issue 12), through the real `run` command and the real bundled email server:
 * an SMTP server that cannot be reached (a closed port, a host that does not resolve) means nothing was
 * sent (`sent: false`), so the step is retried with backoff and the plan then deferred with a retry_at,
 * never sent to Needs_Review; the same for the LinkedIn API at a closed port. A working SMTP server
 * (smtp-server on loopback) gets the message once.
 */
import { readFile, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { builtPath } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const EMAIL_SERVER = builtPath('mcp_servers/email/server.js');

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function emailWorkspace(smtpUrl: string): Promise<Workspace> {
  const workspace = await createWorkspace({ execution: { timeoutMs: 20_000, maxRetries: 2, retryDelayMs: 20, deferDelayMs: 60_000 } });
  const config = JSON.parse(await readFile(workspace.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
  config.mcpServers = {
    ...config.mcpServers,
    'email-server': {
      command: process.execPath,
      args: [EMAIL_SERVER],
      env: { VAULT_DIR: workspace.vault, MCP_STATE_DIR: path.join(workspace.dir, 'email-state'), SMTP_URL: smtpUrl },
    },
  };
  config.actions = { ...config.actions, send_email: { server: 'email-server', tool: 'send_email', idempotent: false } };
  await writeFile(workspace.configPath, JSON.stringify(config, null, 2));
  return workspace;
}

const PLAN = [
  '---',
  'id: weekly-mail',
  '---',
  '## Steps',
  '- [ ] mail the team',
  '  ```yaml',
  '  action: send_email',
  '  to: team@example.com',
  '  subject: Weekly',
  '  body: Hello',
  '  ```',
  '',
].join('\n');

async function runPlan(workspace: Workspace) {
  const file = await workspace.writePlan('mail.md', PLAN);
  const result = await runCli(['--config', workspace.configPath, 'run', file]);
  const text = await readFile(file, 'utf8');
  const calls = (await workspace.readLog('mcp_actions.jsonl')).split('\n').filter((line) => /"event":"CALL"/.test(line));
  return { result, text, calls: calls.length };
}

describe('an SMTP server that cannot be reached: nothing was sent, so retried, then deferred', () => {
  it.each([
    ['a closed port (ECONNREFUSED)', async () => `smtp://127.0.0.1:${await closedPort()}`],
    ['a host that does not resolve (DNS)', async () => 'smtp://smtp.nowhere.invalid:2525'],
  ])('%s', async (_title, url) => {
    ws = await emailWorkspace(await url());
    const { result, text, calls } = await runPlan(ws);
    expect(text, result.stdout + result.stderr).toMatch(/^status: deferred$/m);
    expect(text).toMatch(/^retry_at: "?\d{4}-/m);
    expect(text).toMatch(/^error: "?.*email-server\.send_email: (connection|timeout):.*nothing was sent/m);
    // The first attempt and both retries of the budget: each refused before anything left.
    expect(calls).toBe(3);
    expect(await ws.list('Needs_Review')).toEqual([]);
  });
});

describe('the LinkedIn API unreachable (a closed port): nothing was sent, so retried, then deferred', () => {
  it('the real linkedin server, a non-idempotent post', async () => {
    ws = await createWorkspace({ execution: { timeoutMs: 20_000, maxRetries: 2, retryDelayMs: 20, deferDelayMs: 60_000 } });
    const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
    config.mcpServers = {
      ...config.mcpServers,
      'linkedin-server': {
        command: process.execPath,
        args: [builtPath('mcp_servers/linkedin/server.js')],
        env: {
          VAULT_DIR: ws.vault,
          MCP_STATE_DIR: path.join(ws.dir, 'linkedin-state'),
          LINKEDIN_ACCESS_TOKEN: 'test-token-123456',
          LINKEDIN_AUTHOR_URN: 'urn:li:person:abc',
          LINKEDIN_API_BASE: `http://127.0.0.1:${await closedPort()}`,
        },
      },
    };
    config.actions = { ...config.actions, post_linkedin: { server: 'linkedin-server', tool: 'create_post', idempotent: false } };
    await writeFile(ws.configPath, JSON.stringify(config, null, 2));
    const plan = ['---', 'id: post', '---', '## Steps', '- [ ] post', '  ```yaml', '  action: post_linkedin', '  text: Hello from the test', '  ```', ''].join('\n');
    const file = await ws.writePlan('post.md', plan);
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    const text = await readFile(file, 'utf8');
    expect(text, result.stdout + result.stderr).toMatch(/^status: deferred$/m);
    expect(text).toMatch(/^error: "?.*linkedin-server\.create_post: connection:.*nothing was sent/m);
    const calls = (await ws.readLog('mcp_actions.jsonl')).split('\n').filter((line) => /"event":"CALL"/.test(line));
    expect(calls).toHaveLength(3);
    expect(await ws.list('Needs_Review')).toEqual([]);
  });
});

describe('a working SMTP server', () => {
  it('gets the message once and the plan completes', async () => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          received.push(data);
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as AddressInfo).port)));
    try {
      ws = await emailWorkspace(`smtp://127.0.0.1:${port}`);
      const { result, text } = await runPlan(ws);
      expect(text, result.stdout + result.stderr).toMatch(/^status: completed$/m);
      expect(received).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
