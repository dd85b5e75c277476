import { describe, expect, it } from 'vitest';
import { serverEnvironment } from '../../../src/config/env.js';
import { StdioServerSchema } from '../../../src/config/schema.js';

describe('serverEnvironment', () => {
  const base = { PATH: '/usr/bin', HOME: '/home/u', SMTP_PASSWORD: 'hunter2', OPENAI_API_KEY: 'sk-x', BASH_FUNC: '() { :; }' };

  it('gives a server the safe defaults, VAULT_DIR, its private MCP_STATE_DIR and its own env only', () => {
    const server = StdioServerSchema.parse({ command: 'node', env: { SMTP_URL: 'smtp://h', EMPTY: '', MCP_STATE_DIR: '' } });
    const env = serverEnvironment(server, { vault: '/v', state: '/s' }, base);
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/u', VAULT_DIR: '/v', MCP_STATE_DIR: '/s/servers', SMTP_URL: 'smtp://h' });
    expect(JSON.stringify(env)).not.toContain('hunter2');
  });

  it('lets a server override VAULT_DIR and unset a default with an empty value', () => {
    const server = StdioServerSchema.parse({ command: 'node', env: { VAULT_DIR: '/other', HOME: '' } });
    expect(serverEnvironment(server, { vault: '/v', state: '/s' }, base)).toEqual({ PATH: '/usr/bin', VAULT_DIR: '/other', MCP_STATE_DIR: '/s/servers' });
  });
});
