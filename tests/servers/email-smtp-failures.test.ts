/**
 * email-server over real stdio against failing SMTP servers on loopback: each failure comes back as the
 * error type the orchestrator needs to decide on a retry, says whether the message may have gone out
 * (`sent`), never leaks the password, and records nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

type Result = { isError?: boolean; structuredContent?: Record<string, any> };

const USER = 'bot';
const PASSWORD = 'pa55-Very-Secret';

const listen = (server: net.Server | SMTPServer) =>
  new Promise<number>((resolve) => {
    const inner = server instanceof SMTPServer ? server.server : server;
    server.listen(0, '127.0.0.1', () => resolve((inner.address() as AddressInfo).port));
  });

/** A minimal SMTP peer that accepts everything up to the end of DATA, then drops the connection unanswered. */
function droppingServer(): net.Server {
  return net.createServer((socket) => {
    socket.write('220 flaky ESMTP\r\n');
    let inData = false;
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (inData) {
        if (buffer.includes('\r\n.\r\n')) socket.destroy();
        return;
      }
      for (let end = buffer.indexOf('\r\n'); end >= 0 && !inData; end = buffer.indexOf('\r\n')) {
        const verb = buffer.slice(0, 4).toUpperCase();
        buffer = buffer.slice(end + 2);
        inData = verb === 'DATA';
        socket.write(inData ? '354 go ahead\r\n' : verb === 'EHLO' ? '250 flaky\r\n' : '250 ok\r\n');
      }
    });
  });
}

describe('email-server SMTP failures', () => {
  let tmp: string;
  let state: string;
  let smtp: SMTPServer;
  /** Open client sockets of `smtp`, so a test can cut them the way a crashing or overloaded server would. */
  const sockets = new Set<net.Socket>();
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  let dropper: net.Server;
  let port: number;
  let deliveries: number;
  const open: StdioConnection[] = [];

  const connect = async (smtpUrl: string) => {
    const conn = await connectStdio(builtPath('mcp_servers/email/server.js'), {
      VAULT_DIR: path.join(tmp, 'vault'),
      MCP_STATE_DIR: state,
      SMTP_URL: smtpUrl,
    });
    open.push(conn);
    return conn;
  };
  const send = async (conn: StdioConnection, args: Record<string, unknown>) =>
    (await conn.client.callTool({ name: 'send_email', arguments: { subject: 'Status', body: 'all good', ...args } })) as Result;
  const url = (password = PASSWORD) => `smtp://${USER}:${password}@127.0.0.1:${port}`;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'email-failures-'));
    state = path.join(tmp, 'state');
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
      onRcptTo(address, _session, callback) {
        const local = address.address.split('@')[0];
        if (local === 'cut-at-rcpt') return cutAll();
        if (local === 'busy') return callback(Object.assign(new Error('Too many messages, try later'), { responseCode: 451 }));
        if (local === 'nobody') return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        return callback();
      },
      onData(stream, session, callback) {
        // "cut-in-data": the connection dies in the middle of the message, after its first bytes arrived.
        if (session.envelope.rcptTo.some((r) => r.address.startsWith('cut-in-data@'))) {
          stream.once('data', () => cutAll());
          stream.resume();
          return;
        }
        stream.resume();
        stream.on('end', () => {
          deliveries++;
          callback();
        });
      },
    });
    smtp.server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    port = await listen(smtp);
    dropper = droppingServer();
  });

  beforeEach(() => {
    deliveries = 0;
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await new Promise<void>((resolve) => dropper.close(() => resolve()));
    await rm(tmp, { recursive: true, force: true });
  });

  it('reports a 535 from the server as authentication, leaks no password and records nothing', async () => {
    const wrong = 'Wrong-Secret-42';
    const conn = await connect(url(wrong));
    const result = await send(conn, { to: 'ann@client.example', idempotency_key: 'auth-1' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error_type: 'authentication', sent: false });
    expect(result.structuredContent?.message).toContain('535');
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(conn.stderr()).not.toContain(wrong);
    expect(deliveries).toBe(0);

    // Nothing was recorded for the key: once the password is fixed, the same key sends for real.
    const fixed = await connect(url());
    const retry = await send(fixed, { to: 'ann@client.example', idempotency_key: 'auth-1' });
    expect(retry.structuredContent).toMatchObject({ delivered_via: 'smtp', deduplicated: false });
    expect(deliveries).toBe(1);
  });

  it('reports 451 as rate_limit and 550 as a permanent tool_error, neither sent', async () => {
    const conn = await connect(url());
    const busy = await send(conn, { to: 'busy@client.example' });
    expect(busy.structuredContent).toMatchObject({ error_type: 'rate_limit', sent: false });
    const gone = await send(conn, { to: 'nobody@client.example' });
    expect(gone.structuredContent).toMatchObject({ error_type: 'tool_error', sent: false });
    expect(gone.structuredContent?.message).toContain('550');
    expect(deliveries).toBe(0);
  });

  it('reports a refused connection (a port bound, then closed) as connection with nothing sent', async () => {
    const probe = net.createServer();
    const closedPort = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const conn = await connect(`smtp://127.0.0.1:${closedPort}`);
    await conn.client.listTools(); // the client then checks the error against the output schema
    const result = await send(conn, { to: 'ann@client.example', idempotency_key: 'refused-1' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error_type: 'connection', sent: false });
    expect(result.structuredContent?.message).toContain('ECONNREFUSED');
    expect(result.structuredContent?.message).toContain('nothing was sent');
  });

  it('reports a connection cut before DATA as connection with nothing sent', async () => {
    const conn = await connect(url());
    const result = await send(conn, { to: 'cut-at-rcpt@client.example' });
    expect(result.structuredContent).toMatchObject({ error_type: 'connection', sent: false });
    expect(deliveries).toBe(0);
  });

  it('reports a connection the SMTP server cuts in the middle of DATA as ambiguous, maybe sent', async () => {
    const conn = await connect(url());
    await conn.client.listTools();
    const result = await send(conn, { to: 'cut-in-data@client.example', body: 'x'.repeat(200_000), idempotency_key: 'cut-1' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error_type: 'ambiguous', sent: true });
    expect(result.structuredContent?.message).toContain('may have been delivered');
  });

  it('reports a connection dropped after the message was sent as ambiguous, maybe sent, not as retryable', async () => {
    const conn = await connect(`smtp://127.0.0.1:${await listen(dropper)}`);
    const result = await send(conn, { to: 'ann@client.example', idempotency_key: 'drop-1' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error_type: 'ambiguous', sent: true });
  });
});
