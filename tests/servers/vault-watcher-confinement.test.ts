/**
 * vault-watcher over real stdio: hostile paths and lifecycle folders are refused as `validation` with
 * nothing sent, and nothing outside the allowed area changes. The schema side of the same rules, and a
 * table of paths, are in path-patterns.test.ts; here are the cases only the server can see (symlinks).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';

type Result = { isError?: boolean; structuredContent?: Record<string, unknown> };

describe('vault-watcher confinement', () => {
  let tmp: string;
  let vault: string;
  let outside: string;
  let conn: StdioConnection;
  const SECRET = 'outside the vault\n';

  const refused = async (name: string, args: Record<string, unknown>) => {
    const result = (await conn.client.callTool({ name, arguments: args })) as Result;
    expect(result.isError, `${name} ${JSON.stringify(args)} should be refused`).toBe(true);
    expect(result.structuredContent).toMatchObject({ error_type: 'validation', sent: false });
    expect(typeof result.structuredContent?.message).toBe('string');
    return result;
  };
  const outsideUntouched = async () => {
    expect(await readdir(outside)).toEqual(['secret.md']);
    expect(await readFile(path.join(outside, 'secret.md'), 'utf8')).toBe(SECRET);
  };
  const approvedEmpty = async () => expect(await readdir(path.join(vault, 'Approved'))).toEqual([]);

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vault-confine-'));
    vault = path.join(tmp, 'vault');
    outside = path.join(tmp, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.md'), SECRET);
    for (const dir of ['Notes', 'Approved', 'In_Progress', 'Done', '.mcp-state', '.orchestrator', '.obsidian']) {
      await mkdir(path.join(vault, dir), { recursive: true });
    }
    await writeFile(path.join(vault, '.orchestrator/journal.jsonl'), '{"plan":"p"}\n');
    await writeFile(path.join(vault, '.obsidian/app.json'), '{"apiKey":"plugin-secret"}');
    await symlink(path.join(vault, '.mcp-state'), path.join(vault, 'Notes/state-link'));
    await symlink(path.join(vault, '.orchestrator/journal.jsonl'), path.join(vault, 'Notes/journal.md'));
    await writeFile(path.join(vault, 'Notes/plan.md'), '# A plan that wants approval\n');
    await writeFile(path.join(vault, 'In_Progress/running.md'), '# Running plan\n');
    await writeFile(path.join(vault, '.mcp-state/email-ledger.jsonl'), '{"key":"k"}\n');
    await symlink(outside, path.join(vault, 'Notes/escape'));
    await symlink(path.join(outside, 'secret.md'), path.join(vault, 'Notes/link.md'));
    await symlink(path.join(vault, 'Approved'), path.join(vault, 'Shortcut'));
    conn = await connectStdio(builtPath('mcp_servers/vault-watcher/server.js'), { VAULT_DIR: vault });
  });

  afterAll(async () => {
    await conn?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('refuses ".." traversal for reads, writes and moves', async () => {
    await refused('read_note', { path: '../outside/secret.md' });
    await refused('write_note', { path: '../outside/secret.md', content: 'pwned', mode: 'overwrite' });
    await refused('write_note', { path: 'Notes/../../outside/new.md', content: 'pwned' });
    await refused('move_note', { from: 'Notes/plan.md', to: '../outside/plan.md' });
    await refused('list_notes', { folder: '..' });
    await outsideUntouched();
    expect(await readFile(path.join(vault, 'Notes/plan.md'), 'utf8')).toContain('A plan');
  });

  it('refuses absolute paths', async () => {
    await refused('read_note', { path: path.join(outside, 'secret.md') });
    await refused('write_note', { path: path.join(outside, 'secret.md'), content: 'pwned', mode: 'overwrite' });
    await refused('write_note', { path: path.join(outside, 'fresh.md'), content: 'pwned' });
    await outsideUntouched();
  });

  it('refuses a symlink inside the vault that points outside', async () => {
    await refused('read_note', { path: 'Notes/link.md' });
    await refused('read_note', { path: 'Notes/escape/secret.md' });
    await refused('write_note', { path: 'Notes/escape/secret.md', content: 'pwned', mode: 'overwrite' });
    await refused('write_note', { path: 'Notes/escape/fresh.md', content: 'pwned' });
    await refused('write_note', { path: 'Notes/link.md', content: 'pwned', mode: 'append' });
    await refused('list_notes', { folder: 'Notes/escape' });
    await outsideUntouched();
  });

  it('refuses writes and moves into Approved/, even through a symlink, so no plan can approve another', async () => {
    await refused('write_note', { path: 'Approved/plan.md', content: '# approved by a plan' });
    await refused('write_note', { path: 'approved/plan.md', content: '# case games' });
    await refused('write_note', { path: './Approved/plan.md', content: '# dot games' });
    await refused('write_note', { path: 'Shortcut/plan.md', content: '# via a symlink' });
    await refused('move_note', { from: 'Notes/plan.md', to: 'Approved/plan.md' });
    await refused('move_note', { from: 'Notes/plan.md', to: 'Approved/' });
    await approvedEmpty();
    expect(await readFile(path.join(vault, 'Notes/plan.md'), 'utf8')).toContain('A plan');
  });

  it('refuses writes to Dashboard.md, which only the orchestrator writes', async () => {
    await refused('write_note', { path: 'Dashboard.md', content: '# all is well', mode: 'overwrite' });
    await refused('move_note', { from: 'Notes/plan.md', to: 'dashboard.md' });
    await expect(stat(path.join(vault, 'Dashboard.md'))).rejects.toThrow();
  });

  it('refuses moves out of In_Progress/ and writes into other lifecycle folders', async () => {
    await refused('move_note', { from: 'In_Progress/running.md', to: 'Notes/running.md' });
    await refused('move_note', { from: 'In_Progress/running.md', to: 'Done/running.md' });
    await refused('write_note', { path: 'In_Progress/running.md', content: 'tampered', mode: 'overwrite' });
    await refused('write_note', { path: 'Done/fake.md', content: 'fake result' });
    expect(await readFile(path.join(vault, 'In_Progress/running.md'), 'utf8')).toBe('# Running plan\n');
    await expect(stat(path.join(vault, 'Notes/running.md'))).rejects.toThrow();
    expect(await readdir(path.join(vault, 'Done'))).toEqual([]);
  });

  it('refuses hidden folders for writes and the private state folder for reads', async () => {
    await refused('write_note', { path: '.obsidian/app.json', content: '{}', mode: 'overwrite' });
    await refused('write_note', { path: 'Notes/.hidden.md', content: 'x' });
    await refused('move_note', { from: 'Notes/plan.md', to: '.mcp-state/plan.md' });
    await refused('read_note', { path: '.mcp-state/email-ledger.jsonl' });
    await refused('list_notes', { folder: '.mcp-state' });
    expect(await readFile(path.join(vault, '.obsidian/app.json'), 'utf8')).toBe('{"apiKey":"plugin-secret"}');
    expect(await readdir(path.join(vault, '.mcp-state'))).toEqual(['email-ledger.jsonl']);
  });

  it('refuses the private state of the servers and the daemon, and hidden entries, for reads and writes alike', async () => {
    const journal = await refused('read_note', { path: '.orchestrator/journal.jsonl' });
    expect(journal.structuredContent?.message).toMatch(/private state folder "\.orchestrator\/" of the orchestrator/);
    await refused('read_note', { path: '.Orchestrator/journal.jsonl' });
    await refused('read_note', { path: '.obsidian/app.json' });
    await refused('search_notes', { query: 'plan', folder: '.orchestrator' });
    await refused('write_note', { path: '.orchestrator/journal.jsonl', content: '{}', mode: 'overwrite' });
    await refused('move_note', { from: '.orchestrator/journal.jsonl', to: 'Notes/journal-copy.md' });
    expect(await readFile(path.join(vault, '.orchestrator/journal.jsonl'), 'utf8')).toBe('{"plan":"p"}\n');
  });

  it('refuses a symlink inside the vault that leads into private state, naming where it leads', async () => {
    const viaFolder = await refused('read_note', { path: 'Notes/state-link/email-ledger.jsonl' });
    expect(viaFolder.structuredContent?.message).toContain('leads through a symbolic link to ".mcp-state/email-ledger.jsonl"');
    await refused('read_note', { path: 'Notes/journal.md' });
    await refused('list_notes', { folder: 'Notes/state-link' });
    await refused('write_note', { path: 'Notes/journal.md', content: 'tampered', mode: 'overwrite' });
    await refused('write_note', { path: 'Notes/state-link/new.md', content: 'x' });
    expect(await readdir(path.join(vault, '.mcp-state'))).toEqual(['email-ledger.jsonl']);
    expect(await readFile(path.join(vault, '.orchestrator/journal.jsonl'), 'utf8')).toBe('{"plan":"p"}\n');
  });
});
