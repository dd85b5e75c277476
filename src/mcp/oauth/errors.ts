import { unreachable } from '../../core/errors.js';

/**
 * A remote server's OAuth authorization is missing or was refused, found before any request of ours
 * reached the server (or with the server's 401, which means it processed nothing). The executor
 * classifies it as `authentication` with nothing sent; only a person can fix it, with `auth <server>`
 * or corrected credentials, so retrying is pointless.
 */
type OAuthProblem =
  /** No tokens are stored for this server: `auth <server>` was never run (or for another URL). */
  | 'not_authorized'
  /** The authorization server refused the refresh token (revoked, expired) or the client. */
  | 'refused'
  /** The client-credentials grant was refused: the configured clientId/clientSecret are wrong. */
  | 'credentials_refused';

export class OAuthRefreshError extends Error {
  override readonly name = 'OAuthRefreshError';
  constructor(
    readonly server: string,
    readonly problem: OAuthProblem,
    options?: { cause?: unknown },
  ) {
    super(describeProblem(server, problem), options);
  }
}

function describeProblem(server: string, problem: OAuthProblem): string {
  const again = `run \`mcp-orchestrator auth ${server}\``;
  switch (problem) {
    case 'not_authorized':
      return `${server} needs OAuth authorization and none is stored: ${again} once`;
    case 'refused':
      return `${server}: the authorization server refused the stored OAuth authorization (refresh token revoked or expired): ${again} to authorize again`;
    case 'credentials_refused':
      return `${server}: the authorization server refused the client credentials: check oauth.clientId and oauth.clientSecret in the configuration`;
    default:
      unreachable(problem, 'OAuth problem');
  }
}

/** The OAuthRefreshError in an error's cause chain, if any. */
export function oauthFailureIn(error: unknown): OAuthRefreshError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    if (current instanceof OAuthRefreshError) return current;
    current = current.cause;
  }
  return undefined;
}
