/**
 * `daemon --mcp-port`: the orchestrator's MCP server over HTTP, for several clients at once. Streamable
 * HTTP at `/mcp` (stateful: one session, one server instance, per client) and the legacy SSE transport
 * at `/sse` with its POST endpoint `/messages`. Every request is checked first (http-guard.ts: Host,
 * Origin, bearer token); a body is read only then, and only up to MAX_MESSAGE_BYTES.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { messageOf } from '../core/text.js';
import { auditOversize } from './call-audit.js';
import type { ServeContext } from './context.js';
import { allowedHostnames, checkRequest } from './http-guard.js';
import { MessageBytes } from './oversize.js';
import { connectSession } from './server.js';

export interface McpHttpOptions {
  readonly ctx: ServeContext;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token: string;
  readonly allowedHosts: readonly string[];
}

export interface McpHttpServer {
  readonly port: number;
  /** `http://host:port/mcp` */
  readonly url: string;
  /** `http://host:port/sse` */
  readonly sseUrl: string;
  close(): Promise<void>;
}

const MAX_SESSIONS = 64;
/** A session with no request under way for this long may be closed for a new client (many never send DELETE). */
export const SESSION_IDLE_MS = 30 * 60_000;

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport | SSEServerTransport;
  /** Its requests under way (an SSE session's stream, a client's open GET stream, count while open). */
  open: number;
  /** When it opened or its last request ended (`ctx.clock.monotonicMs()`). */
  heardAt: number;
}

/** The session to close for a new one: the one heard from least recently, once idle for `idleMs`; else none. */
export function idlest(sessions: ReadonlyMap<string, Pick<Session, 'open' | 'heardAt'>>, nowMs: number, idleMs = SESSION_IDLE_MS): string | undefined {
  let found: { id: string; heardAt: number } | undefined;
  for (const [id, session] of sessions) {
    if (session.open === 0 && nowMs - session.heardAt >= idleMs && (!found || session.heardAt < found.heardAt)) found = { id, heardAt: session.heardAt };
  }
  return found?.id;
}

export async function startMcpHttp(options: McpHttpOptions): Promise<McpHttpServer> {
  const { ctx } = options;
  const allowed = allowedHostnames(options.host, options.allowedHosts);
  const sessions = new Map<string, Session>();
  const refuse = (res: ServerResponse, status: number, message: string): void => {
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }));
  };

  const now = (): number => ctx.clock.monotonicMs();
  /** At the limit, a session left idle (its client gone without a DELETE) is closed to make room. */
  const room = async (): Promise<boolean> => {
    if (sessions.size < MAX_SESSIONS) return true;
    const id = idlest(sessions, now());
    if (id === undefined) return false;
    await sessions.get(id)?.server.close().catch(() => undefined);
    sessions.delete(id);
    return true;
  };
  /** A request of a known session: under way until its answer is done (a GET stream: until it closes). */
  const heard = (session: Session, res: ServerResponse): void => {
    session.open += 1;
    res.once('close', () => {
      session.open -= 1;
      session.heardAt = now();
    });
  };

  const open = (transport: StreamableHTTPServerTransport | SSEServerTransport, who: string): Promise<McpServer> =>
    connectSession(ctx, transport, who, () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const verdict = checkRequest(req.headers, allowed, options.token);
    if (!verdict.ok) return refuse(res, verdict.status, verdict.message);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sessionId = header(req, 'mcp-session-id') ?? url.searchParams.get('sessionId') ?? undefined;
    const known = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (known) heard(known, res);

    if (url.pathname === '/mcp') {
      const streamable = known?.transport instanceof StreamableHTTPServerTransport ? known.transport : undefined;
      // Whatever the method: the SSE session exists, it is only the wrong endpoint.
      const elsewhere = known && !streamable ? `session ${sessionId} is an SSE session: post its messages to /messages?sessionId=${sessionId}, or initialize a Streamable HTTP session` : undefined;
      if (req.method === 'POST') {
        const body = await readBody(req, res, ctx);
        if (body === undefined) return;
        if (elsewhere) return refuse(res, 400, elsewhere);
        if (streamable) return streamable.handleRequest(req, res, body.value);
        if (sessionId !== undefined) return refuse(res, 404, 'session not found (it ended, or the daemon restarted): initialize a new session');
        if (!isInitialize(body.value)) return refuse(res, 400, 'no session: send an initialize request first, without an Mcp-Session-Id header');
        if (!(await room())) return refuse(res, 503, `too many open sessions (${MAX_SESSIONS}): close one and try again`);
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (id) => void sessions.set(id, { server, transport, open: 0, heardAt: now() }),
        });
        const server = await open(transport, 'http');
        return transport.handleRequest(req, res, body.value);
      }
      if (elsewhere) return refuse(res, 400, elsewhere);
      if (!streamable) return refuse(res, sessionId ? 404 : 400, 'no such session: initialize one with a POST to /mcp');
      return streamable.handleRequest(req, res);
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      if (!(await room())) return refuse(res, 503, `too many open sessions (${MAX_SESSIONS}): close one and try again`);
      const transport = new SSEServerTransport('/messages', res);
      // Its stream is open for the session's life: never idle (its end closes the session).
      sessions.set(transport.sessionId, { server: await open(transport, 'sse'), transport, open: 1, heardAt: now() });
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      if (!known || !(known.transport instanceof SSEServerTransport)) return refuse(res, 404, 'no such SSE session: open one with GET /sse');
      const body = await readBody(req, res, ctx);
      if (body === undefined) return;
      return known.transport.handlePostMessage(req, res, body.value);
    }
    return refuse(res, 404, 'not found: the MCP endpoints are /mcp (Streamable HTTP) and /sse (legacy SSE)');
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => refuse(res, 500, `internal error: ${messageOf(error)}`));
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void =>
      reject(new Error(error.code === 'EADDRINUSE' ? `MCP port ${options.port} on ${options.host} is already in use: pick another --mcp-port (0 picks a free one)` : `cannot serve MCP on ${options.host}:${options.port}: ${error.message}`));
    http.once('error', fail);
    http.listen(options.port, options.host, () => {
      http.off('error', fail);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const shown = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '[::1]' : options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${shown}:${port}/mcp`,
    sseUrl: `http://${shown}:${port}/sse`,
    async close() {
      await Promise.all([...sessions.values()].map((session) => session.server.close().catch(() => undefined)));
      sessions.clear();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections(); // SSE streams stay open otherwise
      });
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body);
}

/**
 * The JSON body, or undefined once the answer is sent: a parse error, or a body over the limit, which is
 * answered as a JSON-RPC error to its own request id (oversize.ts) after reading past it.
 */
async function readBody(req: IncomingMessage, res: ServerResponse, ctx: ServeContext): Promise<{ value: unknown } | undefined> {
  const body = new MessageBytes();
  for await (const chunk of req as AsyncIterable<Buffer>) body.add(chunk);
  const gathered = body.take();
  if ('refusal' in gathered) {
    auditOversize(ctx.audit, 'http', gathered.size, gathered.tool);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(gathered.refusal));
    return undefined;
  }
  try {
    return { value: JSON.parse(gathered.bytes.toString('utf8')) as unknown };
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'the body is not JSON: send one JSON-RPC message (or a batch) as application/json' } }));
    return undefined;
  }
}
