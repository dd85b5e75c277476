/**
 * Who may talk to `daemon --mcp-port`: a request whose Host (and Origin, when a browser sends one) is
 * a name this server answers to, against DNS rebinding (a web page whose domain suddenly resolves to
 * 127.0.0.1), and that carries the bearer token. Hand-written: the SDK's guards are Express middleware
 * (this server is node:http, like /metrics) or deprecated transport options; the check is a few lines.
 * Pure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/** Host names accepted: loopback's, the bound host (unless a wildcard), and the configured extras. */
export function allowedHostnames(host: string, extra: readonly string[]): ReadonlySet<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  const bound = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  if (bound !== '0.0.0.0' && bound !== '[::]') names.add(bound.toLowerCase());
  for (const name of extra) names.add(name.toLowerCase());
  return names;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

export function checkRequest(headers: Pick<IncomingHttpHeaders, 'host' | 'origin' | 'authorization'>, allowed: ReadonlySet<string>, token: string): Verdict {
  const host = hostnameOf(headers.host === undefined ? undefined : `http://${headers.host}`);
  if (host === undefined || !allowed.has(host)) {
    return { ok: false, status: 403, message: `Host ${JSON.stringify(headers.host ?? '')} is not one this server answers to (add it to serve.allowedHosts to accept it)` };
  }
  if (headers.origin !== undefined) {
    const origin = hostnameOf(headers.origin);
    if (origin === undefined || !allowed.has(origin)) {
      return { ok: false, status: 403, message: `Origin ${JSON.stringify(headers.origin)} is not allowed (add its host to serve.allowedHosts to accept it)` };
    }
  }
  const given = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (given === undefined || !sameSecret(given, token)) {
    return { ok: false, status: 401, message: 'missing or wrong bearer token: send Authorization: Bearer <serve.token or $ORCHESTRATOR_TOKEN>' };
  }
  return { ok: true };
}

function hostnameOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of digests, so neither the length nor the content leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A token too short to resist guessing is refused at start. */
export const MIN_TOKEN_CHARS = 16;
