/**
 * linkedin-server offline (no credentials): drafts in Outbox/LinkedIn, the 3,000-character limit, the
 * 7-day duplicate rule across restarts, idempotency keys, the local post list, tool metadata.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

const SERVER = builtPath('mcp_servers/linkedin/server.js');
const T0 = '2026-02-16T14:20:30.000Z';

function at(base: string, days: number): string {
  return new Date(Date.parse(base) + days * 86_400_000).toISOString();
}

async function call(conn: StdioConnection, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) {
  const result = await conn.client.callTool({ name, arguments: args, ...(meta ? { _meta: meta } : {}) });
  return {
    isError: result.isError === true,
    structured: result.structuredContent as Record<string, any>,
    text: (result.content as { type: string; text: string }[])[0]?.text ?? '',
  };
}

describe('linkedin-server without credentials', () => {
  let vault: string;
  let conn: StdioConnection | undefined;
  const start = async (now: string) => {
    conn = await connectStdio(SERVER, { VAULT_DIR: vault, MCP_FAKE_NOW: now });
    // Like real clients, list first: the SDK client then checks every result against the output schemas.
    await conn.client.listTools();
    return conn;
  };

  beforeAll(async () => {
    vault = await mkdtemp(path.join(os.tmpdir(), 'linkedin-offline-'));
  });
  afterEach(async () => {
    await conn?.close();
    conn = undefined;
  });
  afterAll(async () => {
    await rm(vault, { recursive: true, force: true });
  });

  it('lists both tools with input and output schemas and honest annotations', async () => {
    const c = await start(T0);
    const { tools } = await c.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['create_post', 'list_posts']);
    const create = byName.create_post!;
    expect(create.inputSchema.required).toEqual(['text']);
    expect(Object.keys(create.inputSchema.properties ?? {}).sort()).toEqual(['idempotency_key', 'text', 'visibility']);
    expect((create.inputSchema.properties as any).visibility.enum).toEqual(['PUBLIC', 'CONNECTIONS']);
    expect(Object.keys(create.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(['post_id', 'delivered_via', 'path', 'visibility', 'created_at', 'deduplicated', 'error_type', 'message', 'sent']),
    );
    // Either a success result or the error shape; both are what the client will see.
    expect((create.outputSchema as any).anyOf).toEqual([
      { required: ['delivered_via', 'visibility', 'created_at', 'deduplicated'] },
      { required: ['error_type', 'message', 'sent'] },
    ]);
    expect(create.inputSchema.additionalProperties).toBe(false);
    expect(create.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    const list = byName.list_posts!;
    expect((list.inputSchema.properties as any).limit.type).toBe('integer');
    expect((list.outputSchema as any).anyOf[0]).toEqual({ required: ['source', 'posts'] });
    expect(list.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  });

  it('saves a draft note that says plainly it was not posted', async () => {
    const c = await start(T0);
    const r = await call(c, 'create_post', { text: 'Shipping our Q4 proposal today (finally)!', visibility: 'CONNECTIONS' });
    expect(r.isError).toBe(false);
    expect(r.structured).toMatchObject({ delivered_via: 'draft', visibility: 'CONNECTIONS', created_at: T0, deduplicated: false });
    expect(r.structured.post_id).toBeUndefined();
    expect(r.structured.path).toMatch(/^Outbox\/LinkedIn\/20260216-142030-shipping-our-q4-proposal-today-finally\.md$/);
    expect(r.text).toMatch(/NOT posted/);
    const note = await readFile(path.join(vault, r.structured.path), 'utf8');
    expect(note).toMatch(/^---\n[\s\S]*status: draft\n[\s\S]*---\n/);
    expect(note).toContain('visibility: CONNECTIONS');
    expect(note).toContain('NOT posted to LinkedIn');
    expect(note).toContain('Shipping our Q4 proposal today (finally)!');
  });

  it('refuses text over 3,000 characters and counts an emoji as one character', async () => {
    const c = await start(T0);
    const long = await call(c, 'create_post', { text: 'a'.repeat(3001) });
    expect(long.isError).toBe(true);
    expect(long.structured).toMatchObject({ error_type: 'validation', sent: false });
    expect(long.structured.message).toMatch(/3001 characters.*3000/);
    const empty = await call(c, 'create_post', { text: '   ' });
    expect(empty.structured).toMatchObject({ error_type: 'validation' });
    const emoji = await call(c, 'create_post', { text: '🚀'.repeat(3000) });
    expect(emoji.isError).toBe(false);
  });

  it('refuses the same text (whitespace aside) within 7 days, also after a restart, and allows it after', async () => {
    let c = await start(T0);
    const first = await call(c, 'create_post', { text: 'Hiring two engineers.\nDM me.' });
    expect(first.isError).toBe(false);
    const again = await call(c, 'create_post', { text: '  Hiring two   engineers. DM me. ' });
    expect(again.isError).toBe(true);
    expect(again.structured).toMatchObject({ error_type: 'validation', sent: false });
    expect(again.structured.message).toContain('already posted');
    await c.close();

    c = await start(at(T0, 6.9));
    expect((await call(c, 'create_post', { text: 'Hiring two engineers. DM me.' })).structured.error_type).toBe('validation');
    await c.close();

    c = await start(at(T0, 7.1));
    const later = await call(c, 'create_post', { text: 'Hiring two engineers. DM me.' });
    expect(later.isError).toBe(false);
    expect(later.structured.delivered_via).toBe('draft');
  });

  it('returns the first result for a repeated idempotency key, from the argument or _meta, marked deduplicated, and drafts once', async () => {
    const c = await start(T0);
    const before = (await readdir(path.join(vault, 'Outbox/LinkedIn'))).length;
    const first = await call(c, 'create_post', { text: 'Idempotent hello', idempotency_key: 'plan-1:2:abc' });
    const second = await call(c, 'create_post', { text: 'Idempotent hello', idempotency_key: 'plan-1:2:abc' });
    const viaMeta = await call(c, 'create_post', { text: 'Idempotent hello' }, { idempotency_key: 'plan-1:2:abc' });
    expect(first.structured.deduplicated).toBe(false);
    expect(first.text).toMatch(/^NOT posted to LinkedIn/);
    for (const repeat of [second, viaMeta]) {
      expect(repeat.isError).toBe(false);
      expect(repeat.structured).toEqual({ ...first.structured, deduplicated: true });
      expect(repeat.text).toBe(
        `Already sent: saved as the draft ${first.structured.path} (NOT posted to LinkedIn) on ${T0} (idempotency key plan-1:2:abc); nothing sent again`,
      );
    }
    expect((await readdir(path.join(vault, 'Outbox/LinkedIn'))).length).toBe(before + 1);
  });

  it('lists the local posts and drafts, newest first, up to the limit', async () => {
    const c = await start(at(T0, 30));
    await call(c, 'create_post', { text: 'Older post' });
    await c.close();
    const c2 = await start(at(T0, 31));
    await call(c2, 'create_post', { text: 'Newest post' });
    const r = await call(c2, 'list_posts', { limit: 2 });
    expect(r.isError).toBe(false);
    expect(r.structured.source).toBe('local');
    expect(r.structured.posts.map((p: any) => p.text)).toEqual(['Newest post', 'Older post']);
    expect(r.structured.posts[0]).toMatchObject({ state: 'draft', created_at: at(T0, 31) });
    expect(r.structured.posts[0].path).toMatch(/^Outbox\/LinkedIn\//);
  });

  it('refuses to start with a malformed setting, in one clear line', () => {
    const run = spawnSync(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH ?? '', VAULT_DIR: vault, LINKEDIN_VERSION: 'latest' },
      input: '',
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('linkedin-server: failed to start: LINKEDIN_VERSION "latest" is not a YYYYMM month; set it like 202511 or unset it');
  });
});
