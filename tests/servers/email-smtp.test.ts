/**
 * email-server over real stdio, delivering to a real SMTP server on loopback (smtp-server): what the
 * receiving server gets, idempotency across restarts, and input refused before any send.
 * Failure classification is in email-smtp-failures.test.ts.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: { type: string; text: string }[] };
interface Received {
  user: string | undefined;
  from: string;
  rcpt: string[];
  raw: string;
}

const USER = 'bot';
const PASSWORD = 'pa55-Very-Secret';
const SERVER = builtPath('mcp_servers/email/server.js');

/** Headers (unfolded, lower-case names) and body of one MIME entity. */
function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const cut = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, cut).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(cut + 4) };
}

/** The parts of a multipart entity, split on its boundary (enough for what nodemailer produces here). */
function partsOf(entity: { headers: Map<string, string>; body: string }) {
  const boundary = /boundary="?([^";]+)"?/.exec(entity.headers.get('content-type') ?? '')?.[1];
  if (!boundary) return [entity];
  return entity.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => splitEntity(chunk.replace(/^\r\n/, '').replace(/\r\n$/, '')));
}

describe('email-server over SMTP', () => {
  let tmp: string;
  let vault: string;
  let smtp: SMTPServer;
  let port: number;
  let received: Received[];
  let good: StdioConnection;
  const open: StdioConnection[] = [];

  const connect = async (env: Record<string, string>) => {
    const conn = await connectStdio(SERVER, { VAULT_DIR: vault, SMTP_FROM: 'Orchestrator <bot@example.com>', ...env });
    open.push(conn);
    return conn;
  };
  const smtpUrl = (password = PASSWORD) => `smtp://${USER}:${password}@127.0.0.1:${port}`;
  const send = async (conn: StdioConnection, args: Record<string, unknown>, meta?: Record<string, unknown>) =>
    (await conn.client.callTool({ name: 'send_email', arguments: args, ...(meta ? { _meta: meta } : {}) })) as Result;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'email-smtp-'));
    vault = path.join(tmp, 'vault');
    await mkdir(path.join(vault, 'Files'), { recursive: true });
    await writeFile(path.join(vault, 'Files/report.csv'), 'quarter,revenue\nQ1,1200\n');
    await writeFile(path.join(tmp, 'outside.txt'), 'not for mailing');
    smtp = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      onAuth(auth, _session, callback) {
        if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
        return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            user: session.user as string | undefined,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcpt: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
    good = await connect({ SMTP_URL: smtpUrl(), MCP_STATE_DIR: path.join(tmp, 'state-good') });
  });

  beforeEach(() => {
    received = [];
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await rm(tmp, { recursive: true, force: true });
  });

  it('lists send_email with its input schema and annotations', async () => {
    const { tools } = await good.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['send_email']);
    const [tool] = tools;
    expect(tool?.inputSchema.required).toEqual(expect.arrayContaining(['to', 'subject']));
    expect(Object.keys(tool?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['to', 'cc', 'bcc', 'subject', 'body', 'html', 'attachments', 'idempotency_key']),
    );
    expect(tool?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
  });

  it('delivers headers, body and an attachment exactly as sent, after logging in', async () => {
    const result = await send(good, {
      to: ['Ann Client <ann@client.example>', 'ops@client.example'],
      cc: 'boss@example.com',
      bcc: 'audit@example.com',
      subject: 'Quarterly report',
      body: 'Hello Ann,\nthe report is attached.\n',
      attachments: [{ path: 'Files/report.csv', filename: 'Q1-report.csv' }],
    });
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ delivered_via: 'smtp', deduplicated: false });
    expect(received).toHaveLength(1);
    const [mail] = received as [Received];
    expect(mail.user).toBe(USER);
    expect(mail.from).toBe('bot@example.com');
    expect(mail.rcpt.sort()).toEqual(['ann@client.example', 'audit@example.com', 'boss@example.com', 'ops@client.example']);

    const message = splitEntity(mail.raw);
    expect(message.headers.get('from')).toBe('Orchestrator <bot@example.com>');
    expect(message.headers.get('to')).toBe('Ann Client <ann@client.example>, ops@client.example');
    expect(message.headers.get('cc')).toBe('boss@example.com');
    expect(message.headers.has('bcc')).toBe(false);
    expect(message.headers.get('subject')).toBe('Quarterly report');
    expect(message.headers.get('message-id')).toBe(result.structuredContent?.message_id);

    const parts = partsOf(message);
    const text = parts.find((p) => p.headers.get('content-type')?.startsWith('text/plain'));
    expect(text?.body).toBe('Hello Ann,\r\nthe report is attached.\r\n');
    const attachment = parts.find((p) => p.headers.get('content-disposition')?.startsWith('attachment'));
    expect(attachment?.headers.get('content-disposition')).toContain('filename=Q1-report.csv');
    expect(attachment?.headers.get('content-transfer-encoding')).toBe('base64');
    expect(Buffer.from(attachment?.body ?? '', 'base64').toString('utf8')).toBe('quarter,revenue\nQ1,1200\n');
  });

  it('sends once per idempotency key, also from _meta and after a restart; repeats say they were deduplicated', async () => {
    const state = path.join(tmp, 'state-idem');
    const args = { to: 'ann@client.example', subject: 'Once only', body: 'exactly one copy' };
    const first = await connect({ SMTP_URL: smtpUrl(), MCP_STATE_DIR: state });
    await first.client.listTools(); // the client then checks every result against the output schema
    const a = await send(first, { ...args, idempotency_key: 'plan-1:2:abc' });
    const b = await send(first, args, { idempotency_key: 'plan-1:2:abc' });
    await first.close();
    const restarted = await connect({ SMTP_URL: smtpUrl(), MCP_STATE_DIR: state });
    await restarted.client.listTools();
    const c = await send(restarted, { ...args, idempotency_key: 'plan-1:2:abc' });

    expect(received).toHaveLength(1);
    expect(a.structuredContent).toMatchObject({ delivered_via: 'smtp', deduplicated: false });
    expect(a.content[0]?.text).toBe(`Message ${a.structuredContent?.message_id} sent by SMTP`);
    for (const again of [b, c]) {
      expect(again.isError).toBeFalsy();
      expect(again.structuredContent).toMatchObject({ message_id: a.structuredContent?.message_id, delivered_via: 'smtp', deduplicated: true });
      expect(Date.parse(again.structuredContent?.sent_at)).not.toBeNaN();
      expect(again.content[0]?.text).toBe(
        `Already sent: ${a.structuredContent?.message_id} was sent by SMTP on ${again.structuredContent?.sent_at} (idempotency key plan-1:2:abc); nothing sent again`,
      );
    }
    const ledger = await readFile(path.join(state, 'email-ledger.jsonl'), 'utf8');
    expect(ledger.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a misspelt argument instead of sending an e-mail without its body', async () => {
    const typo = await send(good, { to: 'ann@client.example', subject: 'Q4 proposal', bodyy: 'Hello Ann, here is the proposal.' });
    expect(typo.isError).toBe(true);
    expect(typo.structuredContent).toMatchObject({ error_type: 'validation', sent: false });
    expect(typo.structuredContent?.message).toContain('unknown argument "bodyy" (did you mean "body"?)');
    expect(received).toHaveLength(0);

    const fixed = await send(good, { to: 'ann@client.example', subject: 'Q4 proposal', body: 'Hello Ann, here is the proposal.' });
    expect(fixed.isError).toBeFalsy();
    expect(received).toHaveLength(1);
    expect(splitEntity(received[0]!.raw).body.trimEnd()).toBe('Hello Ann, here is the proposal.');
  });

  it('refuses bad addresses and attachments outside the vault before sending anything', async () => {
    const cases: Record<string, unknown>[] = [
      { to: 'not-an-address', subject: 'x' },
      { to: ['ann@client.example', 'bob@@example.com'], subject: 'x' },
      { to: 'ann@client.example', cc: 'Bob <bob at example.com>', subject: 'x' },
      { to: 'ann@client.example', subject: 'x', attachments: ['../outside.txt'] },
      { to: 'ann@client.example', subject: 'x', attachments: [path.join(tmp, 'outside.txt')] },
      { to: 'ann@client.example', subject: 'x', attachments: [{ path: 'Files/missing.pdf' }] },
    ];
    for (const args of cases) {
      const result = await send(good, args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(result.structuredContent, JSON.stringify(args)).toMatchObject({ error_type: 'validation', sent: false });
    }
    expect(received).toHaveLength(0);
  });
});
