/** `check`: validates against live tool schemas, reports every problem with its step, calls nothing. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const execFileAsync = promisify(execFile);
let ws: Workspace;
beforeAll(async () => {
  ws = await createWorkspace();
});
afterAll(async () => {
  await ws.cleanup();
});

const threeMistakes = [
  '---',
  'id: broken',
  '---',
  '## Steps',
  '- [ ] Unknown action',
  '  - action: sned_email',
  '- [ ] Wrong argument type',
  '  ```yaml',
  '  action: add',
  '  a: two',
  '  b: 3',
  '  ```',
  '- [ ] Bad template',
  '  ```yaml',
  '  action: echo',
  '  text: "{{ steps.nowhere.text }}"',
  '  ```',
  '',
].join('\n');

describe('check', () => {
  it('prints all three mistakes, each naming its step, and exits 1 (the real binary)', async () => {
    const file = await ws.writePlan('broken.md', threeMistakes);
    const before = await readFile(file, 'utf8');
    const bin = path.join(REPO_ROOT, 'bin', 'mcp-orchestrator.js');
    const error = await execFileAsync(process.execPath, [bin, 'check', file, '--config', ws.configPath]).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(error?.code).toBe(1);
    const out = error?.stdout ?? '';
    expect(out).toMatch(/step 1\b.*sned_email/);
    expect(out).toMatch(/step 2\b.*\ba\b/);
    expect(out).toMatch(/step 3\b.*nowhere/);
    expect(await ws.calls()).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('prints the resolved server.tool of each step of a good plan and calls no tool', async () => {
    const file = await ws.writePlan(
      'good.md',
      ['---', 'id: good', '---', '## Steps', '- [ ] Add', '  - action: add', '  - a: 1', '  - b: 2', '- [ ] Say it', '  - text: hi', ''].join('\n'),
    );
    const result = await runCli(['--config', ws.configPath, 'check', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/step 1 .*scripted\.add/);
    expect(result.stdout).toMatch(/step 2 .*scripted\.echo/);
    expect(await ws.calls()).toEqual([]);
  });

  it('exits 2 with one clear line for a configuration error', async () => {
    const result = await runCli(['--config', path.join(ws.dir, 'missing.json'), 'check', 'x.md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing\.json/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints help for every command', async () => {
    for (const command of ['check', 'run', 'servers']) {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage:/);
    }
  });
});
