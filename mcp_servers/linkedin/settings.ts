/**
 * The LinkedIn server's settings, read once from the environment at start. Credentials are optional:
 * without them the server writes drafts instead of posting.
 */
import { clockFromEnv, positiveInt, stateDirFromEnv } from '../shared/env.js';
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
