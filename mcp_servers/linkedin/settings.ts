/**
 * The LinkedIn server's settings, read once from the environment at start. Credentials are optional:
 * without them the server writes drafts instead of posting.
 */
import path from 'node:path';
import { vaultRootFromEnv } from '../shared/vault-path.js';

export interface LinkedInCredentials {
  readonly accessToken: string;
  readonly authorUrn: string;
}

export interface LinkedInSettings {
  readonly vaultRoot: string;
  readonly stateDir: string;
  /** Undefined means offline: drafts only. */
  readonly credentials: LinkedInCredentials | undefined;
  readonly apiBase: string;
  readonly apiVersion: string;
  readonly timeoutMs: number;
  readonly now: () => Date;
}

/** Default LinkedIn-Version header (YYYYMM); LinkedIn supports each version for about a year. */
export const DEFAULT_LINKEDIN_VERSION = '202511';

export function settingsFromEnv(env: NodeJS.ProcessEnv): LinkedInSettings {
  const vaultRoot = vaultRootFromEnv(env);
  const token = env.LINKEDIN_ACCESS_TOKEN?.trim();
  const author = env.LINKEDIN_AUTHOR_URN?.trim();
  const version = env.LINKEDIN_VERSION?.trim() || DEFAULT_LINKEDIN_VERSION;
  if (!/^\d{6}$/.test(version)) {
    throw new Error(`LINKEDIN_VERSION "${version}" is not a YYYYMM month; set it like 202511 or unset it`);
  }
  if (author && !/^urn:li:(person|organization):[^\s]+$/.test(author)) {
    throw new Error(`LINKEDIN_AUTHOR_URN "${author}" is not a person or organization URN; set it like urn:li:person:AbC123`);
  }
  return {
    vaultRoot,
    stateDir: stateDirFromEnv(env, vaultRoot),
    credentials: token && author ? { accessToken: token, authorUrn: author } : undefined,
    apiBase: (env.LINKEDIN_API_BASE?.trim() || 'https://api.linkedin.com').replace(/\/+$/, ''),
    apiVersion: version,
    timeoutMs: positiveInt(env.LINKEDIN_TIMEOUT_MS, 'LINKEDIN_TIMEOUT_MS', 30_000),
    now: clockFromEnv(env),
  };
}

export function stateDirFromEnv(env: NodeJS.ProcessEnv, vaultRoot: string): string {
  const dir = env.MCP_STATE_DIR?.trim();
  return dir ? path.resolve(dir) : path.join(vaultRoot, '.mcp-state');
}

/** `MCP_FAKE_NOW` (an ISO time) freezes the clock, for tests of time windows; otherwise the real clock. */
export function clockFromEnv(env: NodeJS.ProcessEnv): () => Date {
  const fake = env.MCP_FAKE_NOW?.trim();
  if (!fake) return () => new Date();
  const at = Date.parse(fake);
  if (Number.isNaN(at)) throw new Error(`MCP_FAKE_NOW "${fake}" is not an ISO time; set it like 2026-02-16T14:20:30Z or unset it`);
  return () => new Date(at);
}

export function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} "${raw}" is not a positive whole number`);
  return value;
}
