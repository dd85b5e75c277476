/**
 * A server's "already sent with this key" answer (SPEC §7, issue 12), through the real `run` command and
 * the real bundled email server (file delivery): two plans whose step carries the same idempotency_key.
 * The second send is logged as a deduplication — its own kind in mcp_actions.log and .jsonl, in the
 * plan's Execution Log and in the vault audit — never as a new SUCCESS, and no second message is written.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { builtPath } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const plan = (id: string) =>
  [
    '---',
    `id: ${id}`,
    '---',
    '## Steps',
    '- [ ] mail the team',
    '  ```yaml',
    '  action: send_email',
    '  to: team@example.com',
    '  subject: Weekly',
    '  body: Hello',
    '  idempotency_key: weekly-2026-w06',
    '  ```',
    '',
  ].join('\n');

describe('a deduplicated send', () => {
  it('is logged as DEDUPLICATED, never as a new SUCCESS, and nothing is sent again', async () => {
    ws = await createWorkspace();
    const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
    config.mcpServers = {
      ...config.mcpServers,
      'email-server': {
        command: process.execPath,
        args: [builtPath('mcp_servers/email/server.js')],
        env: { VAULT_DIR: ws.vault, MCP_STATE_DIR: path.join(ws.dir, 'email-state') },
      },
    };
    config.actions = { ...config.actions, send_email: { server: 'email-server', tool: 'send_email', idempotent: false } };
    await writeFile(ws.configPath, JSON.stringify(config, null, 2));

    const first = await ws.writePlan('first.md', plan('first'));
    expect((await runCli(['--config', ws.configPath, 'run', first])).code).toBe(0);
    const second = await ws.writePlan('second.md', plan('second'));
    const result = await runCli(['--config', ws.configPath, 'run', second]);
    expect(result.code, result.stdout + result.stderr).toBe(0);

    expect(await readdir(path.join(ws.vault, 'Outbox', 'Email'))).toHaveLength(1);
    const human = (await ws.readLog()).split('\n');
    const ofSecond = human.filter((line) => / plan=second /.test(line));
    expect(ofSecond.some((line) => /\] DEDUPLICATED - email-server\.send_email plan=second step=1 attempt=1 status=deduplicated .*idempotency key weekly-2026-w06; nothing was sent again/.test(line))).toBe(true);
    expect(ofSecond.some((line) => /\] SUCCESS - /.test(line))).toBe(false);
    expect(human.filter((line) => /\] SUCCESS - email-server\.send_email plan=first /.test(line))).toHaveLength(1);

    const json = (await ws.readLog('mcp_actions.jsonl')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(json.filter((r) => r.plan === 'second' && r.event === 'DEDUPLICATED')).toMatchObject([{ status: 'deduplicated', server: 'email-server' }]);
    expect(json.filter((r) => r.plan === 'second' && r.event === 'SUCCESS')).toEqual([]);

    expect(await readFile(second, 'utf8')).toMatch(/attempt 1: deduplicated \(sent before, nothing sent again\)/);
  });
});
