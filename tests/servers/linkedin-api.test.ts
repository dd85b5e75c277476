/**
 * linkedin-server with credentials, against a local stand-in for api.linkedin.com that checks the exact
 * request and answers with LinkedIn's recorded response shapes (201 + x-restli-id, 401, 429, 500, 422).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

const SERVER = builtPath('mcp_servers/linkedin/server.js');
const NOW = '2026-02-16T14:20:30.000Z';
const TOKEN = 'AQX-test-token';
const AUTHOR = 'urn:li:person:8675309';

async function call(conn: StdioConnection, name: string, args: Record<string, unknown>) {
  const result = await conn.client.callTool({ name, arguments: args });
  return {
    isError: result.isError === true,
    structured: result.structuredContent as Record<string, any>,
    text: (result.content as { type: string; text: string }[])[0]?.text ?? '',
  };
}

function credentialsEnv(vault: string, base: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    VAULT_DIR: vault,
    MCP_FAKE_NOW: NOW,
    LINKEDIN_ACCESS_TOKEN: TOKEN,
    LINKEDIN_AUTHOR_URN: AUTHOR,
    LINKEDIN_API_BASE: base,
    ...extra,
  };
}

describe('linkedin-server against the LinkedIn REST Posts API', () => {
  let vault: string;
  let api: FakeHttp;
  let conn: StdioConnection;

  beforeAll(async () => {
    vault = await mkdtemp(path.join(os.tmpdir(), 'linkedin-api-'));
    api = await startFakeHttp();
    conn = await connectStdio(SERVER, credentialsEnv(vault, api.url, { LINKEDIN_VERSION: '202601' }));
    await conn.client.listTools(); // the client then checks results, errors included, against the output schemas
  });
  afterAll(async () => {
    await conn.close();
    await api.close();
    await rm(vault, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('sends the exact Posts API request and returns the id from x-restli-id', async () => {
    api.respond(() => ({ status: 201, headers: { 'x-restli-id': 'urn:li:share:7300000000000000001', 'x-linkedin-id': 'urn:li:share:7300000000000000001' } }));
    const r = await call(conn, 'create_post', { text: 'We shipped v2 (beta) today #launch — details: https://ex.com/a_b', visibility: 'PUBLIC' });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({
      post_id: 'urn:li:share:7300000000000000001',
      url: 'https://www.linkedin.com/feed/update/urn:li:share:7300000000000000001/',
      delivered_via: 'api',
      visibility: 'PUBLIC',
      created_at: NOW,
      deduplicated: false,
    });
    expect(api.requests).toHaveLength(1);
    const req = api.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/rest/posts');
    expect(req.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'linkedin-version': '202601',
      'x-restli-protocol-version': '2.0.0',
      'content-type': 'application/json',
    });
    // Reserved "little text" characters are escaped so LinkedIn does not cut the post; hashtags and URLs are kept.
    expect(req.body).toEqual({
      author: AUTHOR,
      commentary: 'We shipped v2 \\(beta\\) today #launch — details: https://ex.com/a_b',
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    });
  });

  it('posts once for a repeated idempotency key; the repeat says it was deduplicated and gives the first post id', async () => {
    api.respond(() => ({ status: 201, headers: { 'x-restli-id': 'urn:li:share:42' } }));
    const first = await call(conn, 'create_post', { text: 'Once only', idempotency_key: 'p:1:x' });
    const second = await call(conn, 'create_post', { text: 'Once only', idempotency_key: 'p:1:x' });
    expect(first.structured).toMatchObject({ post_id: 'urn:li:share:42', deduplicated: false });
    expect(second.structured).toMatchObject({ post_id: 'urn:li:share:42', url: first.structured.url, deduplicated: true });
    expect(second.text).toBe(`Already sent: posted to LinkedIn as urn:li:share:42 on ${NOW} (idempotency key p:1:x); nothing sent again`);
    expect(api.requests).toHaveLength(1);
  });

  it('maps 401 and 403 to authentication', async () => {
    api.respond(() => ({ status: 401, body: { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' } }));
    const r401 = await call(conn, 'create_post', { text: 'Auth check one' });
    expect(r401.isError).toBe(true);
    expect(r401.structured).toMatchObject({ error_type: 'authentication', sent: false });
    expect(r401.structured.message).toContain('Invalid access token');
    expect(r401.structured.message).not.toContain(TOKEN);
    api.respond(() => ({ status: 403, body: { status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions' } }));
    expect((await call(conn, 'create_post', { text: 'Auth check two' })).structured.error_type).toBe('authentication');
  });

  it('maps 429 to rate_limit with retry_after_ms from Retry-After seconds or an HTTP date', async () => {
    const body = { status: 429, message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.' };
    api.respond(() => ({ status: 429, headers: { 'retry-after': '120' }, body }));
    const seconds = await call(conn, 'create_post', { text: 'Throttled' });
    expect(seconds.structured).toMatchObject({ error_type: 'rate_limit', retry_after_ms: 120_000, sent: false });
    const date = new Date(Date.parse(NOW) + 90_000).toUTCString();
    api.respond(() => ({ status: 429, headers: { 'retry-after': date }, body }));
    const dated = await call(conn, 'create_post', { text: 'Throttled' });
    expect(dated.structured).toMatchObject({ error_type: 'rate_limit', retry_after_ms: 90_000 });
  });

  it('maps 5xx to server_error (maybe sent) and other 4xx to validation (not sent), and a failed post does not count as posted', async () => {
    api.respond(() => ({ status: 500, body: { message: 'Internal Server Error', status: 500 } }));
    expect((await call(conn, 'create_post', { text: 'Retry me later' })).structured).toMatchObject({ error_type: 'server_error', sent: true });
    api.respond(() => ({ status: 422, body: { message: 'ERROR :: /commentary :: field is invalid', status: 422 } }));
    const invalid = await call(conn, 'create_post', { text: 'Retry me later' });
    expect(invalid.structured).toMatchObject({ error_type: 'validation', sent: false });
    expect(invalid.structured.message).toContain('/commentary');
    api.respond(() => ({ status: 201, headers: { 'x-restli-id': 'urn:li:share:43' } }));
    expect((await call(conn, 'create_post', { text: 'Retry me later' })).structured.post_id).toBe('urn:li:share:43');
  });

  it('lists the author\'s posts with the exact query and headers', async () => {
    api.respond(() => ({
      status: 200,
      body: {
        paging: { start: 0, count: 2, links: [] },
        elements: [
          { id: 'urn:li:share:2', author: AUTHOR, commentary: 'Second \\(new\\)', visibility: 'PUBLIC', lifecycleState: 'PUBLISHED', publishedAt: 1771251630000, createdAt: 1771251600000 },
          { id: 'urn:li:ugcPost:1', author: AUTHOR, commentary: 'First', visibility: 'CONNECTIONS', lifecycleState: 'PUBLISHED', createdAt: 1771165230000 },
        ],
      },
    }));
    const r = await call(conn, 'list_posts', { limit: 2 });
    expect(r.isError).toBe(false);
    const req = api.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/rest/posts?author=urn%3Ali%3Aperson%3A8675309&q=author&count=2');
    expect(req.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'linkedin-version': '202601', 'x-restli-protocol-version': '2.0.0' });
    expect(r.structured.source).toBe('api');
    expect(r.structured.posts).toEqual([
      { id: 'urn:li:share:2', text: 'Second (new)', visibility: 'PUBLIC', state: 'PUBLISHED', created_at: new Date(1771251630000).toISOString(), url: 'https://www.linkedin.com/feed/update/urn:li:share:2/' },
      { id: 'urn:li:ugcPost:1', text: 'First', visibility: 'CONNECTIONS', state: 'PUBLISHED', created_at: new Date(1771165230000).toISOString(), url: 'https://www.linkedin.com/feed/update/urn:li:ugcPost:1/' },
    ]);
  });
});

describe('linkedin-server moving from drafts to real posts', () => {
  it('publishes a text that was only drafted, but refuses posting it twice', async () => {
    const vault = await mkdtemp(path.join(os.tmpdir(), 'linkedin-promote-'));
    const api = await startFakeHttp(() => ({ status: 201, headers: { 'x-restli-id': 'urn:li:share:77' } }));
    try {
      const offline = await connectStdio(SERVER, { VAULT_DIR: vault, MCP_FAKE_NOW: NOW });
      await offline.client.listTools();
      expect((await call(offline, 'create_post', { text: 'Drafted first' })).structured.delivered_via).toBe('draft');
      await offline.close();

      const online = await connectStdio(SERVER, credentialsEnv(vault, api.url));
      await online.client.listTools();
      expect((await call(online, 'create_post', { text: 'Drafted first' })).structured).toMatchObject({ delivered_via: 'api', post_id: 'urn:li:share:77' });
      expect((await call(online, 'create_post', { text: 'Drafted first' })).structured.error_type).toBe('validation');
      expect(api.requests).toHaveLength(1);
      await online.close();
    } finally {
      await api.close();
      await rm(vault, { recursive: true, force: true });
    }
  });
});

describe('linkedin-server when LinkedIn cannot be reached', () => {
  let vault: string;
  beforeAll(async () => {
    vault = await mkdtemp(path.join(os.tmpdir(), 'linkedin-net-'));
  });
  afterAll(async () => {
    await rm(vault, { recursive: true, force: true });
  });

  it('reports connection with nothing sent when nothing listens', async () => {
    const gone = await startFakeHttp();
    const base = gone.url;
    await gone.close();
    const conn = await connectStdio(SERVER, credentialsEnv(vault, base));
    await conn.client.listTools();
    try {
      const r = await call(conn, 'create_post', { text: 'Nobody home' });
      expect(r.structured).toMatchObject({ error_type: 'connection', sent: false });
      expect(r.structured.message).toContain(base);
    } finally {
      await conn.close();
    }
  });

  it('reports ambiguous, maybe sent, not connection, when the connection breaks after the post was sent', async () => {
    const api = await startFakeHttp(() => 'drop');
    const conn = await connectStdio(SERVER, credentialsEnv(vault, api.url));
    await conn.client.listTools();
    try {
      const r = await call(conn, 'create_post', { text: 'Cut off mid-flight' });
      expect(api.requests).toHaveLength(1);
      expect(r.structured).toMatchObject({ error_type: 'ambiguous', sent: true });
      expect(r.structured.message).toContain('check before retrying');
    } finally {
      await conn.close();
      await api.close();
    }
  });

  it('reports timeout past LINKEDIN_TIMEOUT_MS, maybe sent, having sent the default LinkedIn-Version', async () => {
    const api = await startFakeHttp(() => 'hang');
    const conn = await connectStdio(SERVER, credentialsEnv(vault, api.url, { LINKEDIN_TIMEOUT_MS: '300' }));
    await conn.client.listTools();
    try {
      const r = await call(conn, 'create_post', { text: 'Slow network' });
      expect(r.structured).toMatchObject({ error_type: 'timeout', sent: true });
      expect(r.structured.message).toContain('300 ms');
      expect(r.structured.message).toContain('may or may not have taken effect');
      expect(api.requests[0]?.headers['linkedin-version']).toBe('202511');
    } finally {
      await conn.close();
      await api.close();
    }
  });
});
