/** The MCP layer's masking of configured secrets in its error messages (src/mcp/redact.ts). */
import { describe, expect, it } from 'vitest';
import { ServerSchema } from '../../src/config/schema.js';
import { maskKnownText as redact, REDACTED } from '../../src/core/sanitize.js';
import { secretsOf } from '../../src/mcp/redact.js';

describe('secrets of a server configuration', () => {
  it('HTTP: header values and their tokens, URL credentials and query values', () => {
    const server = ServerSchema.parse({
      url: 'https://bot:p%40ss-word-1@api.example.com/mcp?api_key=query-key-123&v=2',
      headers: { Authorization: 'Bearer tok.en-456789', 'X-Team': 'team-secret-0' },
    });
    const secrets = secretsOf(server);
    for (const value of ['Bearer tok.en-456789', 'tok.en-456789', 'team-secret-0', 'p%40ss-word-1', 'p@ss-word-1', 'query-key-123']) {
      expect(secrets).toContain(value);
    }
    // Too short to be a credential, and masking them would garble ordinary text.
    expect(secrets).not.toContain('bot');
    expect(secrets).not.toContain('2');
  });

  it('stdio: env values under secret-looking names only', () => {
    const server = ServerSchema.parse({ command: 'node', env: { SMTP_PASSWORD: 'hunter2-long', LINKEDIN_ACCESS_TOKEN: 'li-token-999', VAULT_DIR: '/home/me/vault' } });
    expect(secretsOf(server, { API_KEY: 'from-the-env-42' }).sort()).toEqual(['from-the-env-42', 'hunter2-long', 'li-token-999']);
  });

  it('masks every occurrence, raw or URL-encoded, the longest secret first', () => {
    const secrets = ['Bearer abc-123-xyz', 'abc-123-xyz', 'p@ss-word-1'];
    const text = 'refused "Bearer abc-123-xyz" (abc-123-xyz) at https://bot:p%40ss-word-1@host/';
    expect(redact(text, secrets)).toBe(`refused "${REDACTED}" (${REDACTED}) at https://bot:${REDACTED}@host/`);
  });
});
