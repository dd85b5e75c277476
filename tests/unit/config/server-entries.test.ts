/** Server entries: which shapes load, which keys of other clients are accepted, what is still refused. */
import { describe, expect, it } from 'vitest';
import { ServerSchema } from '../../../src/config/schema.js';
import { expandVariables } from '../../../src/config/expand.js';

const parse = (entry: unknown) => ServerSchema.safeParse(entry);

describe('server entries', () => {
  it('a disabled entry is not validated beyond its name, whatever its shape', () => {
    for (const entry of [
      { enabled: false, type: 'websocket', url: 42 },
      { disabled: true, command: ['not', 'a', 'string'] },
      { enabled: false },
    ]) {
      expect(parse(entry)).toMatchObject({ success: true, data: { type: 'disabled', enabled: false } });
    }
  });

  it('legacy SSE, Streamable HTTP spellings and a bare url', () => {
    expect(parse({ type: 'sse', url: 'http://h/sse' }).data).toMatchObject({ type: 'sse', headers: {} });
    for (const type of ['http', 'streamable-http', 'streamableHttp']) {
      const data = parse({ type, url: 'http://h/mcp' }).data as { type: string; sseFallback?: boolean };
      expect(data.type).toBe('http');
      expect(data.sseFallback).toBeUndefined();
    }
    expect(parse({ url: 'http://h/mcp' }).data).toMatchObject({ type: 'http', sseFallback: true });
    expect(parse({ transportType: 'sse', url: 'http://h/sse' }).data).toMatchObject({ type: 'sse' });
  });

  it('drops the UI keys other clients write and keeps reporting real typos', () => {
    const data = parse({ command: 'node', autoApprove: ['x'], alwaysAllow: [], timeout: 60, description: 'd', disabled: false });
    expect(data.success).toBe(true);
    expect(Object.keys(data.data as object)).not.toContain('autoApprove');
    const typo = parse({ command: 'node', comand: 'x' });
    expect(typo.success).toBe(false);
    expect(typo.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['comand'] });
  });

  it('oauth: client_credentials needs clientId and clientSecret; Claude Code’s scopes list becomes a scope', () => {
    const missing = parse({ type: 'http', url: 'http://h/mcp', oauth: { grant: 'client_credentials', clientId: 'a' } });
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['oauth.clientSecret']);
    expect(parse({ type: 'http', url: 'http://h/mcp', oauth: { scopes: ['read', 'write'], callbackPort: 8080 } }).data).toMatchObject({
      oauth: { grant: 'authorization_code', scope: 'read write', callbackPort: 8080 },
    });
    expect(parse({ type: 'http', url: 'http://h/mcp', oauth: { clientID: 'x' } }).success).toBe(false);
  });
});

describe('VS Code variables', () => {
  it('${env:VAR}, ${input:id} from MCP_INPUT_ID, ${workspaceFolder} and ${userHome}', () => {
    const { value, problems } = expandVariables(
      { a: '${env:TOKEN}', b: '${input:api-key}', c: '${workspaceFolder}/x', d: '${userHome}/y' },
      { TOKEN: 't', MCP_INPUT_API_KEY: 'k' },
      { workspaceFolder: '/w', userHome: '/home/me' },
    );
    expect(problems).toEqual([]);
    expect(value).toEqual({ a: 't', b: 'k', c: '/w/x', d: '/home/me/y' });
  });

  it('an unset ${env:VAR} is a problem like ${VAR}', () => {
    const { problems } = expandVariables({ a: '${env:NOPE}' }, {});
    expect(problems[0]?.message).toMatch(/environment variable NOPE is not set/);
  });
});
