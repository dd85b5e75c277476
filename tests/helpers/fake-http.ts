/**
 * Test helper: a local HTTP server on 127.0.0.1 (port 0) standing in for a web API. It records every
 * request exactly (method, path with query, headers, body) and answers with whatever the test scripted.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query string, e.g. "/rest/posts?author=...". */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as JSON, or undefined. */
  readonly body: unknown;
}

export interface FakeReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
}

/** `'hang'` never answers, for timeout tests; `'drop'` closes the connection without an answer. */
export type FakeHandler = (request: RecordedRequest) => FakeReply | 'hang' | 'drop';

export interface FakeHttp {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces the handler for the following requests. */
  respond(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeHttp(handler: FakeHandler = () => ({ status: 404 })): Promise<FakeHttp> {
  const requests: RecordedRequest[] = [];
  let current = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody, body };
      requests.push(recorded);
      const reply = current(recorded);
      if (reply === 'hang') return;
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const headers: Record<string, string> = { ...(reply.headers ?? {}) };
      if (reply.body !== undefined && typeof reply.body !== 'string') headers['content-type'] ??= 'application/json';
      res.writeHead(reply.status, headers);
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
