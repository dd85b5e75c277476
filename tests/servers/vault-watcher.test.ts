/**
 * vault-watcher over real stdio: each tool's success path, as a client sees it.
 * Confinement (hostile paths, lifecycle folders) is in vault-watcher-confinement.test.ts.
 */
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

type Result = { isError?: boolean; structuredContent?: Record<string, unknown>; content: { type: string; text: string }[] };

describe('vault-watcher tools', () => {
  let tmp: string;
  let vault: string;
  let conn: StdioConnection;
  const call = async (name: string, args: Record<string, unknown>) =>
    (await conn.client.callTool({ name, arguments: args })) as Result;
  const ok = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    return result.structuredContent as Record<string, any>;
  };
  /** The result's text: what `{{ steps.<id>.text }}` gives a later step. */
  const textOf = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    expect(result.content).toHaveLength(1);
    return result.content[0]?.text;
  };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vault-watcher-'));
    vault = path.join(tmp, 'vault');
    await mkdir(path.join(vault, 'Notes/Clients'), { recursive: true });
    await mkdir(path.join(vault, 'In_Progress'), { recursive: true });
    await mkdir(path.join(vault, '.obsidian'), { recursive: true });
    await writeFile(path.join(vault, 'Notes/todo.md'), '# Todo\n- call ACME about the invoice\n');
    await writeFile(path.join(vault, 'Notes/Clients/acme.md'), 'ACME Corp\ncontact: ann@acme.example\n');
    await writeFile(path.join(vault, 'Notes/readme.txt'), 'not a note');
    await writeFile(path.join(vault, 'In_Progress/plan.md'), '---\nstatus: approved\n---\n## Steps\n');
    await writeFile(path.join(vault, '.obsidian/workspace.md'), 'acme hidden');
    conn = await connectStdio(builtPath('mcp_servers/vault-watcher/server.js'), { VAULT_DIR: vault });
    await conn.client.listTools(); // the client then checks every result against the output schemas
  });

  afterAll(async () => {
    await conn?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('lists its six tools with input schemas and honest annotations', async () => {
    const { tools } = await conn.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(
      ['list_notes', 'move_note', 'read_note', 'recent_changes', 'search_notes', 'write_note'].sort(),
    );
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint).toBe('boolean');
    }
    expect(byName.get('write_note')?.inputSchema.required).toEqual(expect.arrayContaining(['path', 'content']));
    for (const name of ['read_note', 'list_notes', 'search_notes', 'recent_changes']) {
      expect(byName.get(name)?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    }
    expect(byName.get('write_note')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(byName.get('move_note')?.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
  });

  it('read_note returns the note text itself as its text, the metadata only in structuredContent', async () => {
    await mkdir(path.join(vault, 'Clients/Acme'), { recursive: true });
    await writeFile(path.join(vault, 'Clients/Acme/weekly.md'), 'Weekly: all on track.\n');
    const result = await call('read_note', { path: 'Clients/Acme/weekly.md' });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'Weekly: all on track.\n' }]);
    const meta = result.structuredContent as Record<string, unknown>;
    expect(Object.keys(meta).sort()).toEqual(['bytes', 'modified', 'path']);
    expect(meta).toMatchObject({ path: 'Clients/Acme/weekly.md', bytes: 22 });
    expect(Date.parse(String(meta.modified))).toBe((await stat(path.join(vault, 'Clients/Acme/weekly.md'))).mtime.getTime());

    const { tools } = await conn.client.listTools();
    const output = tools.find((t) => t.name === 'read_note')?.outputSchema as Record<string, any>;
    expect(Object.keys(output.properties)).toEqual(expect.arrayContaining(['path', 'bytes', 'modified']));
    expect(output.anyOf[0]).toEqual({ required: ['path', 'bytes', 'modified'] });
  });

  it('read_note reads any note, one in a lifecycle folder or an empty one included', async () => {
    expect(await textOf('read_note', { path: 'Notes/todo.md' })).toBe('# Todo\n- call ACME about the invoice\n');
    expect(await textOf('read_note', { path: 'In_Progress/plan.md' })).toContain('status: approved');
    await writeFile(path.join(vault, 'Notes/empty.md'), '');
    expect(await textOf('read_note', { path: 'Notes/empty.md' })).toBe('');
    const missing = await call('read_note', { path: 'Notes/nope.md' });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toMatchObject({ error_type: 'validation', sent: false });
  });

  it('the other tools give a text a later step can use as is: paths, one per line', async () => {
    expect(await textOf('write_note', { path: 'Inbox/for-template.md', content: 'x' })).toBe('Inbox/for-template.md');
    expect(await textOf('move_note', { from: 'Inbox/for-template.md', to: 'Archive/' })).toBe('Archive/for-template.md');
    expect(await textOf('list_notes', { folder: 'Notes/Clients' })).toBe('Notes/Clients/acme.md');
    expect(await textOf('search_notes', { query: 'contact:', folder: 'Notes' })).toBe('Notes/Clients/acme.md:2: contact: ann@acme.example');
    const recent = await textOf('recent_changes', { since: '1h' });
    expect(recent?.split('\n')).toContain('Archive/for-template.md');
  });

  it('write_note creates, refuses to re-create, overwrites and appends, atomically', async () => {
    const file = path.join(vault, 'Inbox/new.md');
    expect(await ok('write_note', { path: 'Inbox/new.md', content: 'first', mode: 'create' })).toMatchObject({
      path: 'Inbox/new.md',
      created: true,
    });
    expect(await readFile(file, 'utf8')).toBe('first');

    const again = await call('write_note', { path: 'Inbox/new.md', content: 'clobber', mode: 'create' });
    expect(again.structuredContent?.error_type).toBe('validation');
    expect(await readFile(file, 'utf8')).toBe('first');

    await ok('write_note', { path: 'Inbox/new.md', content: 'second', mode: 'overwrite' });
    expect(await readFile(file, 'utf8')).toBe('second');
    const appended = await ok('write_note', { path: 'Inbox/new.md', content: 'third\n', mode: 'append' });
    expect(await readFile(file, 'utf8')).toBe('second\nthird\n');
    expect(appended).toMatchObject({ created: false, bytes: 13 });
  });

  it('list_notes lists markdown notes under a folder, filtered by a glob, hidden folders left out', async () => {
    const all = await ok('list_notes', {});
    const paths = all.notes.map((n: { path: string }) => n.path);
    expect(paths).toEqual(expect.arrayContaining(['Notes/todo.md', 'Notes/Clients/acme.md', 'In_Progress/plan.md']));
    expect(paths.some((p: string) => p.startsWith('.obsidian') || p.endsWith('.txt'))).toBe(false);

    const clients = await ok('list_notes', { folder: 'Notes', pattern: 'Clients/**/*.md' });
    expect(clients.notes.map((n: { path: string }) => n.path)).toEqual(['Notes/Clients/acme.md']);
    const byName = await ok('list_notes', { folder: 'Notes', pattern: 'to*.md' });
    expect(byName).toMatchObject({ folder: 'Notes', total: 1, truncated: false });
  });

  it('search_notes finds matching lines case-insensitively, never in hidden folders', async () => {
    const found = await ok('search_notes', { query: 'acme' });
    expect(found.matches).toEqual(
      expect.arrayContaining([
        { path: 'Notes/todo.md', line: 2, text: '- call ACME about the invoice' },
        { path: 'Notes/Clients/acme.md', line: 1, text: 'ACME Corp' },
      ]),
    );
    expect(found.matches.some((m: { path: string }) => m.path.startsWith('.obsidian'))).toBe(false);
    const scoped = await ok('search_notes', { query: 'invoice', folder: 'Notes/Clients' });
    expect(scoped.matches).toEqual([]);
  });

  it('move_note renames a note and never replaces an existing one', async () => {
    await writeFile(path.join(vault, 'Notes/draft.md'), 'draft body');
    expect(await ok('move_note', { from: 'Notes/draft.md', to: 'Archive/2026/draft.md' })).toEqual({
      from: 'Notes/draft.md',
      to: 'Archive/2026/draft.md',
    });
    expect(await readFile(path.join(vault, 'Archive/2026/draft.md'), 'utf8')).toBe('draft body');
    await expect(stat(path.join(vault, 'Notes/draft.md'))).rejects.toThrow();

    const clash = await call('move_note', { from: 'Notes/todo.md', to: 'Notes/Clients/acme.md' });
    expect(clash.structuredContent?.error_type).toBe('validation');
    expect(await readFile(path.join(vault, 'Notes/Clients/acme.md'), 'utf8')).toContain('ACME Corp');
    expect(await readFile(path.join(vault, 'Notes/todo.md'), 'utf8')).toContain('# Todo');
  });

  it('recent_changes returns notes modified since a duration or a time, newest first', async () => {
    const now = Date.now() / 1000;
    const days = (n: number) => now - n * 86_400;
    await writeFile(path.join(vault, 'Notes/old.md'), 'old');
    await writeFile(path.join(vault, 'Notes/newer.md'), 'newer');
    await writeFile(path.join(vault, 'Notes/newest.md'), 'newest');
    await utimes(path.join(vault, 'Notes/old.md'), days(10), days(10));
    await utimes(path.join(vault, 'Notes/newer.md'), days(3), days(3));
    await utimes(path.join(vault, 'Notes/newest.md'), now + 60, now + 60);

    const week = await ok('recent_changes', { since: '7d' });
    const weekPaths = week.notes.map((n: { path: string }) => n.path);
    expect(weekPaths[0]).toBe('Notes/newest.md');
    expect(weekPaths.indexOf('Notes/newest.md')).toBeLessThan(weekPaths.indexOf('Notes/newer.md'));
    expect(weekPaths).not.toContain('Notes/old.md');

    const iso = new Date((now - 86_400) * 1000).toISOString();
    const day = await ok('recent_changes', { since: iso });
    expect(day.notes.map((n: { path: string }) => n.path)).not.toContain('Notes/newer.md');
    expect(day.since).toBe(iso);

    const bad = await call('recent_changes', { since: 'last tuesday' });
    expect(bad.structuredContent?.error_type).toBe('validation');
  });
});
