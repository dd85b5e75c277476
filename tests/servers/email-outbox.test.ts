/**
 * email-server over real stdio without SMTP_URL: messages become RFC 5322 `.eml` files in the vault's
 * Outbox/Email/, once per idempotency key; hostile recipients and attachment paths are refused.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: { type: string; text: string }[] };

/** Unfolded headers (lower-case names) and the body of a raw message. */
function parseMessage(raw: string) {
  const cut = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, cut).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(cut + 4) };
}

describe('email-server without SMTP (outbox files)', () => {
  let tmp: string;
  let vault: string;
  let outbox: string;
  let conn: StdioConnection;
  const send = async (args: Record<string, unknown>) =>
    (await conn.client.callTool({ name: 'send_email', arguments: args })) as Result;
  const outboxFiles = async () => (await readdir(outbox).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'email-outbox-'));
    vault = path.join(tmp, 'vault');
    outbox = path.join(vault, 'Outbox/Email');
    await mkdir(path.join(vault, 'Files'), { recursive: true });
    await writeFile(path.join(vault, 'Files/notes.txt'), 'meeting notes');
    await writeFile(path.join(tmp, 'secret.txt'), 'private');
    await symlink(path.join(tmp, 'secret.txt'), path.join(vault, 'Files/secret-link.txt'));
    // A link to the servers' private state: an attachment through it would mail the ledger out.
    await mkdir(path.join(vault, '.mcp-state'), { recursive: true });
    await writeFile(path.join(vault, '.mcp-state/email-ledger.jsonl'), '');
    await symlink(path.join(vault, '.mcp-state'), path.join(vault, 'Files/state-link'));
    conn = await connectStdio(builtPath('mcp_servers/email/server.js'), { VAULT_DIR: vault });
    await conn.client.listTools(); // the client then checks results, errors included, against the output schema
  });

  afterAll(async () => {
    await conn?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('writes an .eml file with correct headers and body and returns its vault path', async () => {
    const result = await send({
      to: 'Ann Client <ann@client.example>',
      bcc: ['audit@example.com'],
      subject: 'Proposal follow-up',
      body: 'Hi Ann,\nfollowing up on the proposal.\n',
      attachments: ['Files/notes.txt'],
    });
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    const out = result.structuredContent ?? {};
    expect(out).toMatchObject({ delivered_via: 'file', deduplicated: false });
    expect(out.path).toMatch(/^Outbox\/Email\/[^/]+\.eml$/);

    const raw = await readFile(path.join(vault, out.path), 'utf8');
    const { headers, body } = parseMessage(raw);
    expect(headers.get('from')).toBe('orchestrator@localhost');
    expect(headers.get('to')).toBe('Ann Client <ann@client.example>');
    expect(headers.get('bcc')).toBe('audit@example.com');
    expect(headers.get('subject')).toBe('Proposal follow-up');
    expect(headers.get('message-id')).toBe(out.message_id);
    expect(headers.get('mime-version')).toBe('1.0');
    expect(Number.isNaN(Date.parse(headers.get('date') ?? ''))).toBe(false);
    expect(body).toContain('Hi Ann,\r\nfollowing up on the proposal.\r\n');
    expect(raw).not.toMatch(/[^\r]\n/); // CRLF line ends throughout, as RFC 5322 requires
    expect(body).toContain(Buffer.from('meeting notes').toString('base64'));
  });

  it('writes one file per idempotency key; a repeat says it was deduplicated and sends nothing', async () => {
    const before = (await outboxFiles()).length;
    const args = { to: 'bob@example.com', subject: 'Invoice', body: 'attached', idempotency_key: 'plan-7:1:ff00' };
    const first = await send(args);
    const second = await send(args);
    expect(first.structuredContent).toMatchObject({ delivered_via: 'file', deduplicated: false });
    expect(first.content[0]?.text).toBe(`Message ${first.structuredContent?.message_id} written to ${first.structuredContent?.path}`);
    const { deduplicated: _first, ...original } = first.structuredContent ?? {};
    expect(second.structuredContent).toEqual({ ...original, sent_at: expect.any(String), deduplicated: true });
    expect(second.content[0]?.text).toMatch(
      new RegExp(`^Already sent: .* was written to ${original.path} on .* \\(idempotency key plan-7:1:ff00\\); nothing sent again$`),
    );
    expect(second.content[0]?.text).toContain(String(original.message_id));
    expect((await outboxFiles()).length).toBe(before + 1);
  });

  it('refuses bad addresses, and attachments outside the vault or missing, writing nothing', async () => {
    const before = await outboxFiles();
    const cases: Record<string, unknown>[] = [
      { to: 'bob', subject: 'x' },
      { to: 'bob@', subject: 'x' },
      { to: 'bob@example.com', bcc: ['ok@example.com', 'a b@example.com'], subject: 'x' },
      { to: 'bob@example.com', subject: 'x', attachments: ['../secret.txt'] },
      { to: 'bob@example.com', subject: 'x', attachments: [path.join(tmp, 'secret.txt')] },
      { to: 'bob@example.com', subject: 'x', attachments: [{ path: 'Files/secret-link.txt' }] },
      { to: 'bob@example.com', subject: 'x', attachments: ['Files/nope.txt'] },
      { to: 'bob@example.com', subject: 'x', attachments: ['.mcp-state/email-ledger.jsonl'] },
      { to: 'bob@example.com', subject: 'x', attachments: ['Files/state-link/email-ledger.jsonl'] },
    ];
    for (const args of cases) {
      const result = await send(args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(result.structuredContent, JSON.stringify(args)).toMatchObject({ error_type: 'validation', sent: false });
    }
    expect(await outboxFiles()).toEqual(before);
  });
});
