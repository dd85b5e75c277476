/**
 * Receives the authorization server's redirect on 127.0.0.1 (RFC 8252: a native app's loopback
 * redirect), for `auth <server>`: the browser comes back to /callback with `code` and `state`. A wrong
 * `state` (another flow, or a forged request) is refused and the wait goes on.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { excerpt } from '../transport-error.js';

interface Loopback {
  readonly redirectUrl: string;
  /** The authorization code, once the browser is redirected back with the expected state. */
  waitForCode(state: string, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string): string =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

export async function startLoopback(port = 0): Promise<Loopback> {
  let deliver: ((result: { code?: string; error?: string; state?: string }) => boolean) | undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const error = url.searchParams.get('error');
    const description = url.searchParams.get('error_description');
    const result = {
      ...(url.searchParams.has('code') ? { code: url.searchParams.get('code') as string } : {}),
      ...(error ? { error: description ? `${error}: ${excerpt(description)}` : error } : {}),
      ...(url.searchParams.has('state') ? { state: url.searchParams.get('state') as string } : {}),
    };
    const accepted = deliver?.(result) ?? false;
    const [status, page] = !accepted
      ? [400, PAGE('Not expected', 'This redirect does not belong to the authorization in progress.')]
      : result.error
        ? [400, PAGE('Authorization refused', 'The authorization server refused; see the terminal.')]
        : [200, PAGE('Authorized', 'mcp-orchestrator received the authorization. You can close this window.')];
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(page);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return {
    redirectUrl: `http://127.0.0.1:${bound}/callback`,
    waitForCode(state, signal) {
      return new Promise<string>((resolve, reject) => {
        const onAbort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('stopped'));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        deliver = (result) => {
          if (result.state !== state) return false;
          signal?.removeEventListener('abort', onAbort);
          deliver = undefined;
          if (result.error !== undefined) reject(new Error(`the authorization server refused: ${result.error}`));
          else if (result.code === undefined) reject(new Error('the redirect carried no authorization code'));
          else resolve(result.code);
          return true;
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
