/**
 * Issue 12, the check half, against the real daemon (SPEC §5, §7): what a plan cannot know to be right
 * before it runs is refused before any step runs — a misspelled argument of a zod-built tool, a json
 * block that is not strict JSON, a path that leaves the vault in a later step — so nothing is ever sent;
 * a rejected plan keeps its status and no move back to Approved/ runs it; `{{ steps.X.text }}` after
 * read_note is the note's text.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { builtPath } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let daemon: DaemonProcess;
beforeAll(async () => {
  ws = await createWorkspace({
    servers: { vault: { command: process.execPath, args: [builtPath('mcp_servers/vault-watcher/server.js')] } },
    actions: {
      read_vault: { server: 'vault', tool: 'read_note', idempotent: true },
      write_vault: { server: 'vault', tool: 'write_note', idempotent: true, defaults: { mode: 'create' } },
    },
  });
  await mkdir(path.join(ws.vault, 'Notes'), { recursive: true });
  await writeFile(path.join(ws.vault, 'Notes', 'weekly.md'), 'Weekly: all green.\n');
  daemon = startDaemon(ws.configPath);
});
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await ws?.cleanup();
});

const sendStep = (to: string, extra: string[] = []): string[] => ['  ```yaml', '  action: send', `  to: ${to}`, ...extra, '  ```'];
const plan = (id: string, lines: string[], front: string[] = []): string => ['---', `id: ${id}`, ...front, '---', '## Steps', ...lines, ''].join('\n');
const sentTo = async (to: string): Promise<number> => (await ws.calls()).filter((c) => c.args.to === to).length;

async function failed(name: string): Promise<string> {
  await waitFor(async () => (await ws.list('Failed')).includes(name), `${name} to reach Failed/`);
  return readFile(path.join(ws.vault, 'Failed', name), 'utf8');
}

describe('refused before any step runs', () => {
  it('bodyy: for a tool whose zod schema leaves additionalProperties unset: no e-mail, "did you mean body"', async () => {
    await ws.writePlan('typo.md', plan('typo', ['- [ ] Mail', ...sendStep('typo@example.com', ['  bodyy: Hello'])]), 'Approved');
    const text = await failed('typo.md');
    expect(text).toMatch(/^status: failed$/m);
    expect(text).toMatch(/scripted\.send has no argument "bodyy": did you mean "body"\?/);
    expect(await sentTo('typo@example.com')).toBe(0);
  });

  it('a ```json block with a trailing comma is refused with its step and line, not read as YAML', async () => {
    const lines = ['- [ ] Mail', '  ```json', '  {"action": "send", "to": "json@example.com", "body": "hi",}', '  ```'];
    await ws.writePlan('comma.md', plan('comma', lines), 'Approved');
    const text = await failed('comma.md');
    // Line 8: the daemon's approval_id stamp moved the block down one line in the file it reports on.
    expect(text).toMatch(/step 1 \(line 8\): the step's json block is not strict JSON: .*a trailing comma is not allowed/);
    expect(await sentTo('json@example.com')).toBe(0);
  });

  it('step 2 with path: ../../etc/evil.md is refused before step 1 e-mail is sent', async () => {
    const lines = [
      '- [ ] Mail',
      ...sendStep('evil@example.com', ['  body: first']),
      '- [ ] Save',
      '  - action: write_vault',
      '  - path: ../../etc/evil.md',
      '  - content: x',
    ];
    await ws.writePlan('evil.md', plan('evil', lines), 'Approved');
    const text = await failed('evil.md');
    expect(text).toMatch(/step 2 \(line 12\): arguments do not fit vault\.write_note: argument .*path.* must match pattern .*Relative to the vault: no leading/);
    expect(await sentTo('evil@example.com')).toBe(0);
  });

  it('a path that leaves the vault through {{ plan.FIELD }} is known before the run: refused before step 1 is sent', async () => {
    const lines = ['- [ ] Mail', ...sendStep('planfield@example.com', ['  body: first']), '- [ ] Save', '  - action: write_vault', '  - path: "{{ plan.target }}"', '  - content: x'];
    await ws.writePlan('planfield.md', plan('planfield', lines, ['target: ../../etc/evil.md']), 'Approved');
    const text = await failed('planfield.md');
    expect(text).toMatch(/step 2 \(line 13\): arguments do not fit vault\.write_note: argument .*path.* must match pattern/);
    expect(await sentTo('planfield@example.com')).toBe(0);
  });
});

describe('rejected and draft plans', () => {
  it('status: rejected in Approved/ is refused, keeps its status, and moved back to Approved/ never runs', async () => {
    const rejected = plan('no', ['- [ ] Mail', ...sendStep('rejected@example.com', ['  body: Should not be sent.'])], ['status: rejected']);
    await ws.writePlan('rejected.md', rejected, 'Approved');
    let text = await failed('rejected.md');
    expect(text).toMatch(/^status: rejected$/m);
    expect(text).not.toMatch(/^status: failed$/m);
    expect(text).toMatch(/^failed_at: /m);
    expect(text).toMatch(/^error: .*rejected or draft plan is never run/m);
    await rename(path.join(ws.vault, 'Failed', 'rejected.md'), path.join(ws.vault, 'Approved', 'rejected.md'));
    await waitFor(async () => (await ws.list('Approved')).length === 0 && (await ws.list('Failed')).includes('rejected.md'), 'the re-approval to be refused again');
    text = await readFile(path.join(ws.vault, 'Failed', 'rejected.md'), 'utf8');
    expect(text).toMatch(/^status: rejected$/m);
    expect(await sentTo('rejected@example.com')).toBe(0);
    expect((await ws.calls()).some((c) => c.args.body === 'Should not be sent.')).toBe(false);
  });

  it('status: draft likewise stays draft', async () => {
    await ws.writePlan('draft.md', plan('draft', ['- [ ] Mail', ...sendStep('draft@example.com', ['  body: not yet'])], ['status: draft']), 'Approved');
    const text = await failed('draft.md');
    expect(text).toMatch(/^status: draft$/m);
    expect(await sentTo('draft@example.com')).toBe(0);
  });
});

describe('templates', () => {
  it('{{ steps.readback.text }} after read_note is the note text, nothing more', async () => {
    const lines = [
      '- [ ] Read it back',
      '  ```yaml',
      '  id: readback',
      '  action: read_vault',
      '  path: Notes/weekly.md',
      '  ```',
      '- [ ] Pass it on',
      ...sendStep('readback@example.com', ['  body: "{{ steps.readback.text }}"']),
    ];
    await ws.writePlan('readback.md', plan('readback', lines), 'Approved');
    await waitFor(async () => (await ws.list('Done')).includes('readback.md'), 'the plan to finish');
    const call = (await ws.calls()).find((c) => c.args.to === 'readback@example.com');
    expect(call?.args.body).toBe('Weekly: all green.\n');
  });
});
