/**
 * What the orchestrator tells an authorization server about itself (dynamic client registration):
 * a pure function of the entry's `oauth` block, kept apart from the provider's stateful answers.
 */
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { OAuthConfig } from '../../config/schema.js';

export type OAuthGrant = 'authorization_code' | 'client_credentials';

/** Where a daemon-mode provider says redirects go; it never starts a flow that would use it. */
export const NO_REDIRECT = 'http://127.0.0.1/callback';

export function grantOf(oauth: OAuthConfig | undefined): OAuthGrant {
  return oauth?.grant ?? 'authorization_code';
}

export function clientMetadataOf(oauth: OAuthConfig | undefined, redirectUrl: string | undefined): OAuthClientMetadata {
  const scope = oauth?.scope;
  if (grantOf(oauth) === 'client_credentials') {
    return { client_name: 'mcp-orchestrator', redirect_uris: [], grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', ...(scope ? { scope } : {}) };
  }
  return {
    client_name: 'mcp-orchestrator',
    redirect_uris: [redirectUrl ?? NO_REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: oauth?.clientSecret !== undefined ? 'client_secret_basic' : 'none',
    ...(scope ? { scope } : {}),
  };
}
