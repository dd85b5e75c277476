/**
 * The CLI behaves like a well-kept command line tool: `--version`, every help names `--config`,
 * output into a closed pipe ends quietly with the command's own exit code, and no command leaves a
 * server process running after it exits.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { BIN } from '../helpers/daemon-process.js';
import { REPO_ROOT } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const run = promisify(execFile);
let ws: Workspace;
let pidFile: string;

beforeAll(async () => {
  ws = await createWorkspace();
  pidFile = path.join(ws.dir, 'server-pids.txt');
  const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as { mcpServers: { scripted: { env: Record<string, string> } } };
  config.mcpServers.scripted.env['PID_FILE'] = pidFile;
  await writeFile(ws.configPath, JSON.stringify(config, null, 2));
  await writeFile(pidFile, '');
  // A log with many lines, so `stats` has plenty to print.
  const lines = Array.from({ length: 200 }, (_, i) =>
    JSON.stringify({ ts: new Date(Date.now() - i * 60_000).toISOString(), kind: 'CALL', server: `s${i % 7}`, tool: 'echo', ok: true, ms: i }),
  );
  await mkdir(ws.logs, { recursive: true });
  await writeFile(path.join(ws.logs, 'mcp_actions.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await ws.cleanup();
});

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI; with `closeStdout`, its stdout pipe is closed before it writes anything. */
function cli(args: readonly string[], options: { closeStdout?: boolean } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Through a real shell pipe into `head`, with the CLI's own exit status. */
async function piped(args: string, head: number): Promise<Ran> {
  const script = `"${process.execPath}" "${BIN}" ${args} | head -${head}; echo "cli-exit=\${PIPESTATUS[0]}" >&2`;
  const { stdout, stderr } = await run('bash', ['-c', script], { cwd: ws.dir });
  const code = Number(/cli-exit=(\d+)/.exec(stderr)?.[1]);
  return { code, stdout, stderr: stderr.replace(/cli-exit=\d+\n?/, '') };
}

function serverPids(): number[] {
  return readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('CLI manners', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await cli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('every command’s --help names --config', async () => {
    for (const command of ['check', 'run', 'daemon', 'servers', 'stats', 'auth']) {
      const result = await runCli([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(/--config <path>/);
    }
  });

  it('servers into a pipe closed before it writes: no stack trace, its own exit code, no server left running', async () => {
    await writeFile(pidFile, '');
    const result = await cli(['--config', ws.configPath, 'servers'], { closeStdout: true });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const pids = serverPids();
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(running(pid), `server ${pid}`).toBe(false);
  });

  it('stats into a pipe closed before it writes ends quietly with exit 0', async () => {
    const result = await cli(['--config', ws.configPath, 'stats'], { closeStdout: true });
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('servers | head -1 ends quietly and leaves no server running', async () => {
    await writeFile(pidFile, '');
    const servers = await piped(`--config "${ws.configPath}" servers`, 1);
    expect(servers.stdout).toMatch(/^SERVER\s+TYPE/);
    expect(servers.stdout.trim().split('\n')).toHaveLength(1);
    expect(servers.stderr).toBe('');
    expect(servers.code).toBe(0);
    for (const pid of serverPids()) expect(running(pid)).toBe(false);
  });

  it('stats | head -5 ends quietly', async () => {
    const stats = await piped(`--config "${ws.configPath}" stats`, 5);
    expect(stats.stdout.trim().split('\n').length).toBeLessThanOrEqual(5);
    expect(stats.stderr).toBe('');
    expect(stats.code).toBe(0);
  });

  it.each(['check', 'run'])('%s leaves no server process behind', async (command) => {
    const plan = await ws.writePlan(`say-${command}.md`, ['---', `id: say-${command}`, 'action: echo', 'text: hello', '---', ''].join('\n'));
    await writeFile(pidFile, '');
    const result = await cli(['--config', ws.configPath, command, plan]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const pids = serverPids();
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(running(pid), `server ${pid}`).toBe(false);
  });
});
