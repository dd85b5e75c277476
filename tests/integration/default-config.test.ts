/**
 * The shipped configuration and bundled servers, offline (SPEC §3, §6, §10): the example plan sends an
 * e-mail to the outbox, drafts a LinkedIn post, writes a note and routes a task; the daemon on the same
 * configuration moves a dropped plan to Done/.
 */
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { writeDefaultConfig } from '../helpers/default-config.js';
import { REPO_ROOT } from '../helpers/stdio-client.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function defaultConfigCopy(): Promise<{ configPath: string; vault: string }> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'orch-default-'));
  return { configPath: await writeDefaultConfig(dir), vault: path.join(dir, 'vault') };
}

describe('the default configuration, offline', () => {
  it('runs the example plan end to end: e-mail file, LinkedIn draft, note, routing', async () => {
    const { configPath, vault } = await defaultConfigCopy();
    await mkdir(path.join(vault, 'Plans'), { recursive: true });
    const plan = path.join(vault, 'Plans', 'offline-demo.md');
    await cp(path.join(REPO_ROOT, 'vault', 'Plans', 'examples', 'offline-demo.md'), plan);
    const result = await runCli(['--config', configPath, 'run', plan]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const emails = await readdir(path.join(vault, 'Outbox', 'Email'));
    expect(emails.filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    const eml = await readFile(path.join(vault, 'Outbox', 'Email', emails.find((f) => f.endsWith('.eml')) as string), 'utf8');
    expect(eml).toMatch(/^To: client@example\.com/m);
    expect(eml).toMatch(/Routed to (gemini-flash|haiku|gemini-pro|sonnet|opus)/);
    const drafts = await readdir(path.join(vault, 'Outbox', 'LinkedIn'));
    expect(drafts.length).toBeGreaterThan(0);
    expect(await readFile(path.join(vault, 'Clients', 'Acme', 'q4-followup.md'), 'utf8')).toContain('Sent the Q4 proposal');
    const text = await readFile(plan, 'utf8');
    expect(text).toMatch(/^status: completed$/m);
    expect(text.match(/- \[x\]/g)).toHaveLength(4);
  });

  it('the daemon on it moves a dropped plan to Done/ with its effect made', async () => {
    const { configPath, vault } = await defaultConfigCopy();
    const daemon = startDaemon(configPath);
    try {
      await waitFor(() => daemon.output().includes('watching'), 'the banner');
      const draft = path.join(vault, 'Plans', 'note.md');
      await mkdir(path.dirname(draft), { recursive: true });
      await writeFile(draft, '---\naction: write_vault\npath: Notes/hello.md\ncontent: Hello from the daemon.\n---\n');
      await rename(draft, path.join(vault, 'Approved', 'note.md'));
      await waitFor(async () => (await readdir(path.join(vault, 'Done'))).includes('note.md'), 'the plan in Done/');
      expect(await readFile(path.join(vault, 'Notes', 'hello.md'), 'utf8')).toContain('Hello from the daemon.');
      expect(await daemon.stop('SIGTERM')).toBe(0);
    } finally {
      await daemon.stop('SIGKILL');
    }
  });
});
