/**
 * model-router offline: tool metadata, routing scores with their explanation, the output checker,
 * execute_prompt refused without a key or for an unknown model, and a bad models.json at start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

const SERVER = builtPath('mcp_servers/model-router/server.js');

async function call(conn: StdioConnection, name: string, args: Record<string, unknown>) {
  const result = await conn.client.callTool({ name, arguments: args });
  return {
    isError: result.isError === true,
    structured: result.structuredContent as Record<string, any>,
    text: (result.content as { type: string; text: string }[])[0]?.text ?? '',
  };
}

describe('model-router offline', () => {
  let state: string;
  let conn: StdioConnection;

  beforeAll(async () => {
    state = await mkdtemp(path.join(os.tmpdir(), 'router-offline-'));
    // No MODELS_CONFIG: the server must find <repo>/config/models.json from its own location.
    conn = await connectStdio(SERVER, { MCP_STATE_DIR: state }, { cwd: os.tmpdir() });
    await conn.client.listTools();
  });
  afterAll(async () => {
    await conn.close();
    await rm(state, { recursive: true, force: true });
  });

  it('lists the three tools with schemas and honest annotations', async () => {
    const { tools } = await conn.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['execute_prompt', 'route_task', 'validate_output']);
    expect(byName.route_task!.inputSchema.required).toEqual(['task']);
    expect(Object.keys((byName.route_task!.inputSchema.properties as any).context.properties).sort()).toEqual([
      'files_count',
      'requires_tests',
      'subsystems',
    ]);
    expect((byName.route_task!.outputSchema as any).anyOf[0].required).toEqual([
      'model', 'complexity_score', 'complexity_factors', 'reason', 'confidence', 'estimated_cost', 'estimated_tokens', 'score_range',
    ]);
    expect(byName.execute_prompt!.inputSchema.required).toEqual(['model', 'prompt']);
    expect((byName.execute_prompt!.outputSchema as any).anyOf[0].required).toEqual(
      expect.arrayContaining(['success', 'response', 'tokens', 'latency_ms', 'error']),
    );
    expect((byName.validate_output!.outputSchema as any).anyOf[0].required).toEqual(['pass', 'issues', 'confidence', 'escalate']);
    expect(byName.route_task!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(byName.validate_output!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(byName.execute_prompt!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
  });

  it('routes a trivial task to the cheapest model and explains why', async () => {
    const r = await call(conn, 'route_task', { task: 'Summarize this email in one sentence' });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ model: 'gemini-flash', complexity_score: 0, score_range: [0, 15] });
    expect(r.structured.complexity_factors).toEqual([{ factor: 'simple_work', points: -10, detail: 'summarise, short answer' }]);
    expect(r.structured.reason).toContain('gemini-flash serves scores 0-15');
    expect(r.structured.reason).toContain('GEMINI_API_KEY is not set');
    expect(r.structured.confidence).toBe(0.95);
    expect(r.structured.estimated_cost).toBeGreaterThan(0);
    expect(r.structured.estimated_cost).toBeLessThan(0.001);
  });

  it('routes a complex task to the strongest model, with factors that add up to the score', async () => {
    const r = await call(conn, 'route_task', {
      task: 'Refactor the authentication architecture to fix a security issue across services',
      context: { files_count: 12, requires_tests: true, subsystems: ['auth', 'api', 'db'] },
    });
    expect(r.structured.model).toBe('opus');
    const factors = Object.fromEntries(r.structured.complexity_factors.map((f: any) => [f.factor, f.points]));
    expect(factors).toEqual({ length: 1, hard_topics: 36, files_count: 20, requires_tests: 10, subsystems: 16 });
    expect(r.structured.complexity_score).toBe(83);
    expect(r.structured.reason).toMatch(/hard_topics \+36 \(architecture, refactor, security, auth\)/);
    // 83 sits near opus's lower edge (81): the neighbour would fit almost as well, so confidence is lower.
    expect(r.structured.confidence).toBeLessThan(0.8);
    // The text is the model name alone, ready for a later execute_prompt step's `model`.
    expect(r.text).toBe('opus');
  });

  it('routes a middling task with a numeric subsystem count to a middle model', async () => {
    const r = await call(conn, 'route_task', {
      task: 'Implement a CSV export for the reports page and review the database schema it reads',
      context: { files_count: 4, requires_tests: true, subsystems: 2 },
    });
    const sum = r.structured.complexity_factors.reduce((total: number, f: any) => total + f.points, 0);
    expect(r.structured.complexity_score).toBe(sum);
    expect(['gemini-pro', 'haiku', 'sonnet']).toContain(r.structured.model);
    const [min, max] = r.structured.score_range;
    expect(r.structured.complexity_score).toBeGreaterThanOrEqual(min);
    expect(r.structured.complexity_score).toBeLessThanOrEqual(max);
  });

  it('validates outputs deterministically', async () => {
    const good = await call(conn, 'validate_output', { task: 'Reply to the client confirming Tuesday', output: 'Hi Anna, Tuesday at 10:00 works for us. See you then.' });
    expect(good.structured).toEqual({ pass: true, issues: [], confidence: 0.95, escalate: false });
    const cases: Array<[string, string, string]> = [
      ['Reply to the client', '   ', 'empty'],
      ['Write a poem about autumn', "I'm sorry, but I can't help with that request today.", 'refusal'],
      ['Draft the invoice email', 'Dear [Client Name], please find the invoice attached. TODO add amount.', 'placeholder'],
      ['Write a detailed report on Q4 sales', 'Sales went up in Q4 overall.', 'too_short'],
      ['Write a function that adds two numbers', 'Here it is:\n```js\nfunction add(a, b) { return a + b; }\n', 'unbalanced_code_fence'],
      ['Return the contacts as JSON', '{"name": "Anna", "email": ', 'invalid_json'],
    ];
    for (const [task, output, code] of cases) {
      const r = await call(conn, 'validate_output', { task, output });
      expect(r.isError).toBe(false);
      expect(r.structured.pass, code).toBe(false);
      expect(r.structured.escalate).toBe(true);
      expect(r.structured.issues.map((i: any) => i.code)).toContain(code);
    }
    const json = await call(conn, 'validate_output', { task: 'Return the contacts as JSON', output: '```json\n[{"name": "Anna"}]\n```' });
    expect(json.structured.pass).toBe(true);
  });

  it('refuses execute_prompt without the model key, naming the variable, and for unknown models, sending nothing', async () => {
    const noKey = await call(conn, 'execute_prompt', { model: 'sonnet', prompt: 'Hello' });
    expect(noKey.isError).toBe(true);
    expect(noKey.structured).toMatchObject({ error_type: 'authentication', sent: false, success: false, response: '' });
    expect(noKey.structured.message).toMatch(/^ANTHROPIC_API_KEY is not set/);
    const gemini = await call(conn, 'execute_prompt', { model: 'gemini-pro', prompt: 'Hello' });
    expect(gemini.structured.message).toMatch(/^GEMINI_API_KEY is not set/);
    const unknown = await call(conn, 'execute_prompt', { model: 'gpt-9', prompt: 'Hello' });
    expect(unknown.structured).toMatchObject({ error_type: 'validation', sent: false });
    expect(unknown.structured.message).toContain('gemini-flash, haiku, gemini-pro, sonnet, opus');
    const emptyTask = await call(conn, 'route_task', { task: '  ' });
    expect(emptyTask.structured).toMatchObject({ error_type: 'validation', sent: false });
  });
});

describe('models.json', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'router-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('defines the five models with score ranges that tile 0..100', async () => {
    const config = JSON.parse(await readFile(path.join(REPO_ROOT, 'config/models.json'), 'utf8'));
    expect(Object.keys(config.models).sort()).toEqual(['gemini-flash', 'gemini-pro', 'haiku', 'opus', 'sonnet']);
    const ranges = Object.values<any>(config.models).map((m) => m.score_range).sort((a, b) => a[0] - b[0]);
    expect(ranges[0][0]).toBe(0);
    expect(ranges.at(-1)[1]).toBe(100);
    for (let i = 1; i < ranges.length; i += 1) expect(ranges[i][0]).toBe(ranges[i - 1][1] + 1);
  });

  it('stops the server at start with one clear line when the file is invalid', async () => {
    const start = async (mutate: (config: any) => void) => {
      const config = JSON.parse(await readFile(path.join(REPO_ROOT, 'config/models.json'), 'utf8'));
      mutate(config);
      const bad = path.join(dir, 'models.json');
      await writeFile(bad, JSON.stringify(config));
      const run = spawnSync(process.execPath, [SERVER], {
        env: { PATH: process.env.PATH ?? '', MODELS_CONFIG: bad, MCP_STATE_DIR: dir },
        input: '',
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`model-router: failed to start: models config ${bad} is invalid`);
      expect(lines[0]).toContain('set MODELS_CONFIG to a valid one');
      return lines[0]!;
    };
    expect(await start((c) => (c.models.sonnet.provider = 'openai'))).toContain(
      'models.sonnet.provider: Invalid option: expected one of "anthropic"|"openai-compatible"',
    );
    expect(await start((c) => (c.models.haiku.score_range = [20, 35]))).toContain('models: no model covers scores 16..19');
  });
});
