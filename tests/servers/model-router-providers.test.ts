/**
 * model-router against local stand-ins for the Anthropic Messages API and an OpenAI-compatible Chat
 * Completions API (Gemini's): exact requests, recorded reply shapes, status mapping, spend accounting
 * and the cost ceilings (nothing is sent when a ceiling would be passed).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHttp, type FakeHttp, type FakeReply, type RecordedRequest } from '../helpers/fake-http.js';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

const SERVER = builtPath('mcp_servers/model-router/server.js');
const NOW = '2026-02-16T14:20:30.000Z';
const ANTHROPIC_KEY = 'sk-ant-test-key';
const GEMINI_KEY = 'gemini-test-key';

function anthropicMessage(text: string, input: number, output: number): FakeReply {
  return {
    status: 200,
    headers: { 'request-id': 'req_011CTest' },
    body: {
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  };
}

function chatCompletion(text: string, input: number, output: number): FakeReply {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1771251630,
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
    },
  };
}

function providerEnv(state: string, api: FakeHttp, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MCP_STATE_DIR: state,
    MCP_FAKE_NOW: NOW,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    GEMINI_API_KEY: GEMINI_KEY,
    ANTHROPIC_BASE_URL: api.url,
    GEMINI_BASE_URL: `${api.url}/v1beta/openai`,
    ...extra,
  };
}

async function connect(env: Record<string, string>): Promise<StdioConnection> {
  const conn = await connectStdio(SERVER, env);
  await conn.client.listTools(); // the client then checks every result against the output schemas
  return conn;
}

async function call(conn: StdioConnection, args: Record<string, unknown>) {
  const result = await conn.client.callTool({ name: 'execute_prompt', arguments: args });
  return {
    isError: result.isError === true,
    structured: result.structuredContent as Record<string, any>,
    text: (result.content as { type: string; text: string }[])[0]?.text ?? '',
  };
}

describe('execute_prompt against the providers', () => {
  let state: string;
  let api: FakeHttp;
  let conn: StdioConnection;

  beforeAll(async () => {
    state = await mkdtemp(path.join(os.tmpdir(), 'router-providers-'));
    api = await startFakeHttp();
    conn = await connect(providerEnv(state, api));
  });
  afterAll(async () => {
    await conn.close();
    await api.close();
    await rm(state, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('sends the exact Anthropic Messages request and returns the reply text as the result text', async () => {
    api.respond(() => anthropicMessage('Hi there! How can I help?', 10, 8));
    const r = await call(conn, { model: 'haiku', prompt: 'Say hi', max_tokens: 256 });
    expect(r.isError).toBe(false);
    expect(r.text).toBe('Hi there! How can I help?');
    expect(r.structured).toMatchObject({
      success: true,
      response: 'Hi there! How can I help?',
      tokens: { input: 10, output: 8 },
      error: null,
      model: 'haiku',
      model_id: 'claude-haiku-4-5',
      cost_usd: 0.00005, // 10 × $1/M + 8 × $5/M
      stop_reason: 'end_turn',
    });
    expect(r.structured.latency_ms).toBeGreaterThanOrEqual(0);
    const req = api.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/messages');
    expect(req.headers).toMatchObject({ 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Say hi' }] });
  });

  it('sends the exact Chat Completions request to an OpenAI-compatible provider, with the default max_tokens', async () => {
    api.respond(() => chatCompletion('Hello!', 4, 2));
    const r = await call(conn, { model: 'gemini-flash', prompt: 'Greet me' });
    expect(r.text).toBe('Hello!');
    expect(r.structured).toMatchObject({ success: true, tokens: { input: 4, output: 2 }, model_id: 'gemini-2.5-flash', stop_reason: 'stop' });
    const req = api.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1beta/openai/chat/completions');
    expect(req.headers).toMatchObject({ authorization: `Bearer ${GEMINI_KEY}`, 'content-type': 'application/json' });
    expect(req.body).toEqual({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Greet me' }], max_tokens: 1024 });
  });

  it('records each completed request in a durable JSON-lines spend ledger', async () => {
    api.respond(() => anthropicMessage('Noted.', 1000, 100));
    await call(conn, { model: 'sonnet', prompt: 'Note this' });
    const lines = (await readFile(path.join(state, 'model-spend.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ at: NOW, model: 'sonnet', model_id: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 100, cost_usd: 0.0045 });
  });

  it('maps 401 and 403 to authentication without leaking the key', async () => {
    api.respond(() => ({ status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } }));
    const anthropic = await call(conn, { model: 'haiku', prompt: 'x' });
    expect(anthropic.structured).toMatchObject({ error_type: 'authentication', sent: false, success: false });
    expect(anthropic.structured.message).toContain('invalid x-api-key');
    expect(anthropic.structured.message).not.toContain(ANTHROPIC_KEY);
    api.respond(() => ({ status: 403, body: [{ error: { code: 403, message: 'Method doesn\'t allow unregistered callers', status: 'PERMISSION_DENIED' } }] }));
    expect((await call(conn, { model: 'gemini-pro', prompt: 'x' })).structured.error_type).toBe('authentication');
  });

  it('maps 429 to rate_limit with retry_after_ms, 5xx to server_error (maybe sent) and other 4xx to validation (not sent)', async () => {
    api.respond(() => ({
      status: 429,
      headers: { 'retry-after': '30' },
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } },
    }));
    expect((await call(conn, { model: 'haiku', prompt: 'x' })).structured).toMatchObject({ error_type: 'rate_limit', retry_after_ms: 30_000, sent: false });
    api.respond(() => ({ status: 429, headers: { 'retry-after': new Date(Date.parse(NOW) + 5_000).toUTCString() }, body: { error: { message: 'Resource has been exhausted' } } }));
    expect((await call(conn, { model: 'gemini-flash', prompt: 'x' })).structured).toMatchObject({ error_type: 'rate_limit', retry_after_ms: 5_000 });
    api.respond(() => ({ status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } }));
    expect((await call(conn, { model: 'haiku', prompt: 'x' })).structured).toMatchObject({ error_type: 'server_error', sent: true });
    api.respond(() => ({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }));
    expect((await call(conn, { model: 'opus', prompt: 'x' })).structured.error_type).toBe('server_error');
    api.respond(() => ({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: 300000 > 64000' } } }));
    const invalid = await call(conn, { model: 'sonnet', prompt: 'x', max_tokens: 200_000 });
    expect(invalid.structured).toMatchObject({ error_type: 'validation', sent: false });
    expect(invalid.structured.message).toContain('max_tokens: 300000 > 64000');
  });

  it('reports a reply it cannot read as tool_error, maybe sent (the request got there)', async () => {
    api.respond(() => ({ status: 200, body: '<html>proxy login</html>', headers: { 'content-type': 'text/html' } }));
    expect((await call(conn, { model: 'haiku', prompt: 'x' })).structured).toMatchObject({ error_type: 'tool_error', sent: true });
  });
});

describe('execute_prompt cost ceilings', () => {
  let state: string;
  let api: FakeHttp;
  beforeAll(async () => {
    state = await mkdtemp(path.join(os.tmpdir(), 'router-ceilings-'));
    api = await startFakeHttp();
  });
  afterAll(async () => {
    await api.close();
    await rm(state, { recursive: true, force: true });
  });

  it('refuses a request whose estimate passes MCP_MAX_COST_PER_REQUEST and sends nothing', async () => {
    const conn = await connect(providerEnv(state, api, { MCP_MAX_COST_PER_REQUEST: '0.01' }));
    try {
      api.respond(() => anthropicMessage('should not happen', 1, 1));
      const r = await call(conn, { model: 'opus', prompt: 'Design the whole system', max_tokens: 4096 });
      expect(r.isError).toBe(true);
      expect(r.structured).toMatchObject({ error_type: 'validation', sent: false });
      expect(r.structured.message).toMatch(/estimated cost \$0\.1024 .* exceeds MCP_MAX_COST_PER_REQUEST=\$0\.01; .*raise MCP_MAX_COST_PER_REQUEST/);
      expect(api.requests).toHaveLength(0);
      // A cheaper request under the same ceiling goes through.
      expect((await call(conn, { model: 'opus', prompt: 'Short', max_tokens: 100 })).isError).toBe(false);
      expect(api.requests).toHaveLength(1);
    } finally {
      await conn.close();
    }
  });

  it('refuses once today\'s spend would pass MCP_DAILY_LIMIT, across restarts, and allows again the next UTC day', async () => {
    api.requests.length = 0;
    const env = (now: string) => providerEnv(state, api, { MCP_DAILY_LIMIT: '1.00', MCP_FAKE_NOW: now });
    let conn = await connect(env(NOW));
    // The opus call above cost $0.000030; this reply costs 66,600 output tokens × $15/M = $0.999.
    api.respond(() => anthropicMessage('A very long answer', 0, 66_600));
    expect((await call(conn, { model: 'sonnet', prompt: 'Write a lot', max_tokens: 100 })).isError).toBe(false);
    api.respond(() => chatCompletion('ok', 1, 1));
    const refused = await call(conn, { model: 'haiku', prompt: 'One more', max_tokens: 1024 });
    expect(refused.structured.error_type).toBe('validation');
    expect(refused.structured.message).toMatch(/today's model spend \$0\.9990 \(UTC 2026-02-16\) plus .* would exceed MCP_DAILY_LIMIT=\$1; raise MCP_DAILY_LIMIT/);
    expect(api.requests).toHaveLength(1);
    await conn.close();

    conn = await connect(env('2026-02-16T23:59:00.000Z'));
    expect((await call(conn, { model: 'haiku', prompt: 'One more', max_tokens: 1024 })).structured.error_type).toBe('validation');
    expect(api.requests).toHaveLength(1);
    await conn.close();

    conn = await connect(env('2026-02-17T00:01:00.000Z'));
    expect((await call(conn, { model: 'gemini-flash', prompt: 'One more', max_tokens: 1024 })).isError).toBe(false);
    expect(api.requests).toHaveLength(2);
    await conn.close();
  });
});

describe('execute_prompt when the provider cannot be reached', () => {
  let state: string;
  beforeAll(async () => {
    state = await mkdtemp(path.join(os.tmpdir(), 'router-net-'));
  });
  afterAll(async () => {
    await rm(state, { recursive: true, force: true });
  });

  it('reports timeout past MODEL_ROUTER_TIMEOUT_MS (maybe sent) and connection when nothing listens (not sent)', async () => {
    const hanging = await startFakeHttp(() => 'hang');
    const gone = await startFakeHttp();
    const goneUrl = gone.url;
    await gone.close();
    const conn = await connect({
      ...providerEnv(state, hanging, { MODEL_ROUTER_TIMEOUT_MS: '300' }),
      GEMINI_BASE_URL: `${goneUrl}/v1beta/openai`,
    });
    try {
      const slow = await call(conn, { model: 'haiku', prompt: 'x' });
      expect(slow.structured).toMatchObject({ error_type: 'timeout', sent: true, success: false });
      expect(slow.structured.message).toContain('300 ms');
      expect(hanging.requests.map((r: RecordedRequest) => r.path)).toEqual(['/v1/messages']);
      const unreachable = await call(conn, { model: 'gemini-flash', prompt: 'x' });
      expect(unreachable.structured).toMatchObject({ error_type: 'connection', sent: false });
      expect(unreachable.structured.message).toContain(goneUrl);
    } finally {
      await conn.close();
      await hanging.close();
    }
  });
});
