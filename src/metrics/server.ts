/**
 * The metrics endpoint: `GET /metrics` (Prometheus text format) and `GET /healthz` (JSON), served on
 * 127.0.0.1 only — metrics name servers and tools, which is nobody else's business; put a reverse proxy
 * in front to expose them deliberately.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { messageOf } from '../core/text.js';

interface Health {
  /** false answers 503. */
  readonly ok: boolean;
  readonly [key: string]: unknown;
}

interface MetricsServerOptions {
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  readonly registry: Registry;
  readonly health?: () => Health | Promise<Health>;
}

export interface MetricsServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

const METRICS_HOST = '127.0.0.1';

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const health = options.health ?? (() => ({ ok: true }));
  const server = createServer((request, response) => {
    void handle(request, response, options.registry, health);
  });
  server.listen(options.port, METRICS_HOST);
  // events.once rejects with the 'error' the listen raised.
  await once(server, 'listening').catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'EADDRINUSE'
        ? `metrics port ${options.port} on ${METRICS_HOST} is already in use: pick another --metrics-port`
        : `cannot serve metrics on ${METRICS_HOST}:${options.port}: ${error.message}`,
    );
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${METRICS_HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // scrapers keep connections alive; do not wait for them
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  registry: Registry,
  health: () => Health | Promise<Health>,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    } else if (path === '/metrics') {
      const body = await registry.metrics();
      response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : body);
    } else if (path === '/healthz') {
      const report = await health();
      response.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(report)}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  } catch (error) {
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
    response.end(`error: ${messageOf(error)}\n`);
  }
}
