/** --dry-run: validate and show what would run; call no tool, move and change no file. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const plan = '---\nid: dry\n---\n## Steps\n- [ ] Add\n  - action: add\n  - a: 1\n  - b: 2\n- [ ] Say it\n  - text: "{{ steps.step1.text }}"\n';

describe('dry runs', () => {
  it('run --dry-run prints the steps it would run and changes nothing', async () => {
    ws = await createWorkspace();
    const file = await ws.writePlan('dry.md', plan);
    const result = await runCli(['--config', ws.configPath, 'run', file, '--dry-run']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/step 1 .*scripted\.add/);
    expect(result.stdout).toMatch(/step 2 .*scripted\.echo .*after step1/);
    expect(await ws.calls()).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(plan);
  });

  it('daemon --dry-run --once describes waiting plans, claims none, calls nothing', async () => {
    ws = await createWorkspace();
    await ws.writePlan('dry.md', plan, 'Approved');
    await ws.writePlan('bad.md', '---\naction: nope\n---\n', 'Approved');
    const daemon = startDaemon(ws.configPath, ['--dry-run', '--once']);
    expect(await daemon.exited, daemon.output()).toBe(0);
    expect(daemon.output()).toMatch(/Approved\/dry\.md: valid/);
    expect(daemon.output()).toMatch(/Approved\/bad\.md: invalid/);
    expect(await ws.list('Approved')).toEqual(['bad.md', 'dry.md']);
    expect(await ws.calls()).toEqual([]);
    expect(await readFile(path.join(ws.vault, 'Approved', 'dry.md'), 'utf8')).toBe(plan);
  });
});
