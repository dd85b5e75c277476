/**
 * Every tool of the four bundled servers, over real stdio: its published inputSchema says
 * `additionalProperties: false` (at every level), the server itself refuses an unknown argument as a
 * `validation` error with nothing sent instead of dropping it, the error envelope with `sent` is in
 * every output schema, and the annotations are the honest ones.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

type Schema = Record<string, any>;
type Result = { isError?: boolean; structuredContent?: Record<string, any> };

/** For each tool: a call that is valid as it stands, and the annotations it must declare. */
const TOOLS: Record<string, Record<string, { args: Record<string, unknown>; hints: [readOnly: boolean, destructive: boolean, idempotent: boolean] }>> = {
  'vault-watcher': {
    read_note: { args: { path: 'Notes/a.md' }, hints: [true, false, true] },
    write_note: { args: { path: 'Notes/new.md', content: 'x' }, hints: [false, true, false] },
    list_notes: { args: {}, hints: [true, false, true] },
    search_notes: { args: { query: 'x' }, hints: [true, false, true] },
    move_note: { args: { from: 'Notes/a.md', to: 'Notes/b.md' }, hints: [false, false, false] },
    recent_changes: { args: { since: '1d' }, hints: [true, false, true] },
  },
  email: { send_email: { args: { to: 'ann@example.com', subject: 'Hello', body: 'text' }, hints: [false, false, false] } },
  linkedin: {
    create_post: { args: { text: 'A strict hello' }, hints: [false, false, false] },
    list_posts: { args: {}, hints: [true, false, true] },
  },
  'model-router': {
    route_task: { args: { task: 'Summarise this' }, hints: [true, false, true] },
    execute_prompt: { args: { model: 'haiku', prompt: 'Hi' }, hints: [false, false, false] },
    validate_output: { args: { task: 'Say hi', output: 'Hi there, nice to meet you.' }, hints: [true, false, true] },
  },
};

/** Every object schema inside a JSON Schema, with where it is. */
function objectSchemas(schema: Schema, at = '(root)'): [string, Schema][] {
  const found: [string, Schema][] = schema.type === 'object' ? [[at, schema]] : [];
  for (const [key, value] of Object.entries(schema)) {
    if (value && typeof value === 'object') {
      const children = Array.isArray(value) ? value.map((v, i) => [`${at}.${key}[${i}]`, v] as const) : [[`${at}.${key}`, value] as const];
      for (const [where, child] of children) if (child && typeof child === 'object') found.push(...objectSchemas(child as Schema, where));
    }
  }
  return found;
}

describe('strict arguments on every bundled tool', () => {
  let tmp: string;
  let vault: string;
  const servers = new Map<string, StdioConnection>();
  const call = async (server: string, name: string, args: Record<string, unknown>) =>
    (await servers.get(server)!.client.callTool({ name, arguments: args })) as Result;
  const written = async () => (await readdir(vault, { recursive: true })).sort();

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'strict-args-'));
    vault = path.join(tmp, 'vault');
    await mkdir(path.join(vault, 'Notes'), { recursive: true });
    await writeFile(path.join(vault, 'Notes/a.md'), 'a note');
    await writeFile(path.join(vault, 'Notes/report.txt'), 'figures');
    const env = { VAULT_DIR: vault, MCP_STATE_DIR: path.join(tmp, 'state') };
    for (const server of Object.keys(TOOLS)) {
      const script = builtPath(`mcp_servers/${server}/server.js`);
      const conn = await connectStdio(script, env);
      await conn.client.listTools(); // the client then checks results, errors included, against the output schemas
      servers.set(server, conn);
    }
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((conn) => conn.close()));
    await rm(tmp, { recursive: true, force: true });
  });

  it('publishes additionalProperties: false on every object of every input schema, and Ajv refuses an extra key', async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [server, tools] of Object.entries(TOOLS)) {
      const listed = (await servers.get(server)!.client.listTools()).tools;
      expect(listed.map((t) => t.name).sort(), server).toEqual(Object.keys(tools).sort());
      for (const tool of listed) {
        const schema = tool.inputSchema as Schema;
        for (const [where, object] of objectSchemas(schema)) expect(object.additionalProperties, `${tool.name} ${where}`).toBe(false);
        const { $schema: _dialect, ...bare } = schema;
        const validate = ajv.compile(bare);
        const { args } = tools[tool.name]!;
        expect(validate(args), `${tool.name} ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(validate({ ...args, unexpected_argument: 1 }), tool.name).toBe(false);
      }
    }
  });

  it('refuses an unknown argument itself, as validation with nothing sent, instead of dropping it', async () => {
    const before = await written();
    for (const [server, tools] of Object.entries(TOOLS)) {
      for (const [name, { args }] of Object.entries(tools)) {
        const result = await call(server, name, { ...args, unexpected_argument: 'x' });
        expect(result.isError, `${name} accepted an unknown argument`).toBe(true);
        expect(result.structuredContent, name).toMatchObject({ error_type: 'validation', sent: false });
        expect(result.structuredContent?.message, name).toContain(`${name}: unknown argument "unexpected_argument"`);
      }
    }
    expect(await written()).toEqual(before);
  });

  it('send_email refuses "bodyy" and says it probably meant "body", so no e-mail with an empty body goes out', async () => {
    const result = await call('email', 'send_email', { to: 'ann@example.com', subject: 'Q4 proposal', bodyy: 'Hello Ann' });
    expect(result.structuredContent).toEqual({
      error_type: 'validation',
      sent: false,
      message:
        'send_email: unknown argument "bodyy" (did you mean "body"?); it accepts to, cc, bcc, subject, body, html, attachments, idempotency_key',
    });
    await expect(readdir(path.join(vault, 'Outbox/Email'))).rejects.toThrow();
  });

  it('refuses unknown keys inside nested objects too, naming where they are', async () => {
    const attachment = await call('email', 'send_email', {
      to: 'ann@example.com',
      subject: 'Report',
      attachments: [{ path: 'Notes/report.txt', name: 'report.txt' }],
    });
    expect(attachment.structuredContent).toMatchObject({ error_type: 'validation', sent: false });
    expect(attachment.structuredContent?.message).toContain('unknown argument "attachments.0.name"');
    const context = await call('model-router', 'route_task', { task: 'Refactor', context: { files_count: 3, file_count: 3 } });
    expect(context.structuredContent?.message).toContain('unknown argument "context.file_count"');
    const wrongType = await call('vault-watcher', 'write_note', { path: 'Notes/n.md', content: 42 });
    expect(wrongType.structuredContent?.message).toBe('write_note: argument "content" must be a string, not a number (42)');
    const missing = await call('vault-watcher', 'write_note', { content: 'x' });
    expect(missing.structuredContent?.message).toBe('write_note: missing required argument "path"');
  });

  it('declares the error envelope, sent included, in every output schema', async () => {
    for (const server of Object.keys(TOOLS)) {
      for (const tool of (await servers.get(server)!.client.listTools()).tools) {
        const output = tool.outputSchema as Schema;
        expect(output.properties.sent, tool.name).toMatchObject({ type: 'boolean' });
        expect(output.anyOf.at(-1), tool.name).toEqual({ required: ['error_type', 'message', 'sent'] });
      }
    }
  });

  it('declares honest annotations on every tool', async () => {
    for (const [server, tools] of Object.entries(TOOLS)) {
      for (const tool of (await servers.get(server)!.client.listTools()).tools) {
        const [readOnlyHint, destructiveHint, idempotentHint] = tools[tool.name]!.hints;
        expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint, destructiveHint, idempotentHint });
      }
    }
  });
});
