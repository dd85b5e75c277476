/**
 * Keeps a server's configured secrets out of the error messages this layer builds (SPEC §9: secrets are
 * never printed). Those messages travel far — `check` and `run` print them, plan files store them — and
 * they quote text we do not control: fetch puts the whole URL (credentials included) in its error, a
 * careless server echoes the Authorization header it refused, a crashing one prints its token on stderr.
 * So every configured value that may be secret is replaced wherever it appears. Pure.
 */
import { strongestFirst } from '../core/sanitize.js';
import type { ServerConfig } from '../config/schema.js';
import { unreachable } from '../core/errors.js';

/** Env names whose values are credentials (`API_KEY`, `LINKEDIN_ACCESS_TOKEN`, `SMTP_PASSWORD`, …). */
const SECRET_NAME = /token|secret|passw|pwd|key|auth|credential|cookie/i;

/** The values of `server`'s configuration that must never appear in a message. */
export function secretsOf(server: ServerConfig, env: Readonly<Record<string, string>> = {}): string[] {
  const found: string[] = [];
  switch (server.type) {
    case 'http':
    case 'sse': {
      for (const value of Object.values(server.headers)) {
        // `Bearer <token>`: the token may be quoted without its scheme (the scheme word itself is no secret).
        found.push(value, ...value.split(/\s+/).filter((part) => part.length >= 8));
      }
      const url = new URL(server.url);
      found.push(url.username, url.password, decodeSafe(url.password), ...[...url.searchParams.values()]);
      if (server.oauth?.clientSecret) found.push(server.oauth.clientSecret);
      break;
    }
    case 'stdio':
      for (const [name, value] of Object.entries({ ...server.env, ...env })) if (SECRET_NAME.test(name)) found.push(value);
      break;
    case 'disabled':
      break;
    default:
      unreachable(server, 'server type in');
  }
  return strongestFirst(found);
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
