import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatServersTable, secretMasker, type ServerReport } from '../../src/cli/commands/servers.js';
import { runCli } from '../helpers/cli.js';
import { BIN, processesMarked, waitFor } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const STDIO_SECRET = 'sup3r-s3cret-value-123';
const HTTP_TOKEN = 'http-bearer-token-456789';
const MARKER = `leaky-server-${process.pid}-${Date.now()}`;

const leakyProcesses = (): string[] => processesMarked(MARKER);

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace({
    servers: {
      // Echoes its own credential to stderr and never answers: the error quotes that stderr line.
      leaky: {
        command: process.execPath,
        // It ignores the end of its input, as some servers do; the marker finds it in /proc.
        args: ['-e', "process.stderr.write('starting with token ' + process.env.API_TOKEN + '\\n'); setInterval(() => {}, 1000)", MARKER],
        env: { API_TOKEN: STDIO_SECRET },
        timeoutMs: 1_500,
      },
      // Nothing listens on port 9 (discard); the header must never be printed.
      remote: { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: `Bearer ${HTTP_TOKEN}` }, timeoutMs: 2_000 },
      off: { command: 'does-not-exist', enabled: false },
    },
  });
});
afterEach(async () => {
  await ws.cleanup();
});

describe('servers', () => {
  it('reports each server as JSON: connected, server info, tools, ping, breaker, last error', async () => {
    const result = await runCli(['--config', ws.configPath, 'servers', '--json']);
    expect(result.code).toBe(1); // some enabled servers are unreachable
    // The command returns only once the server that never answered is stopped.
    if (process.platform === 'linux') expect(leakyProcesses()).toEqual([]);
    const reports = JSON.parse(result.stdout) as ServerReport[];
    const byName = new Map(reports.map((r) => [r.name, r]));
    expect([...byName.keys()].sort()).toEqual(['leaky', 'off', 'remote', 'scripted']);

    const scripted = byName.get('scripted') as ServerReport;
    expect(scripted).toMatchObject({ type: 'stdio', enabled: true, connected: true, serverInfo: 'scripted-server 1.0.0', toolCount: 5, lastError: null });
    expect(scripted.tools).toEqual(expect.arrayContaining(['echo', 'add', 'act', 'send', 'send_open']));
    expect(scripted.pingMs).toBeGreaterThanOrEqual(0);
    expect(scripted.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // No daemon runs on this vault, so there is no breaker to report.
    expect(scripted.breaker).toBe('-');

    const leaky = byName.get('leaky') as ServerReport;
    expect(leaky).toMatchObject({ connected: false, toolCount: null, pingMs: null });
    expect(leaky.lastError).toMatch(/stderr: starting with token \[REDACTED\]/);

    expect(byName.get('remote')).toMatchObject({ type: 'http', connected: false });
    expect(byName.get('remote')?.lastError).toMatch(/remote|ECONNREFUSED|fetch failed|connect/i);
    expect(byName.get('off')).toMatchObject({ enabled: false, connected: false, lastError: null });

    for (const secret of [STDIO_SECRET, HTTP_TOKEN]) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it.runIf(process.platform === 'linux')('leaves no server running once it has exited, not even one that ignores the end of its input', async () => {
    const code = await new Promise<number>((resolve) => {
      execFile(process.execPath, [BIN, '--config', ws.configPath, 'servers'], (error) => resolve(error ? Number(error.code ?? 1) : 0));
    });
    expect(code).toBe(1);
    // SIGKILL reaches the process group before the command exits; the kernel needs a moment to remove it.
    await waitFor(() => leakyProcesses().length === 0, 'the leaky server to be gone', 3_000).catch(() => undefined);
    expect(leakyProcesses()).toEqual([]);
  });

  it('prints a table with one row per server and never the configured secrets', async () => {
    const result = await runCli(['--config', ws.configPath, 'servers']);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^SERVER\s+TYPE\s+STATE\s+PROTOCOL\s+SERVER INFO\s+TOOLS\s+PING MS\s+BREAKER\s+LAST ERROR$/);
    expect(lines.find((l) => l.startsWith('scripted'))).toMatch(/^scripted\s+stdio\s+connected\s+\S+\s+scripted-server 1\.0\.0\s+5\s+[\d.]+\s+\S+\s+-$/);
    expect(lines.find((l) => l.startsWith('leaky'))).toMatch(/UNREACHABLE/);
    expect(lines.find((l) => l.startsWith('off'))).toMatch(/disabled/);
    for (const secret of [STDIO_SECRET, HTTP_TOKEN]) expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('formatServersTable', () => {
  it('shows the negotiated protocol and the breaker when the runtime knows them', () => {
    const [header, row] = formatServersTable([
      {
        name: 'email-server', type: 'stdio', enabled: true, connected: true, protocolVersion: '2025-06-18',
        serverInfo: 'email 1.0.0', toolCount: 1, tools: ['send_email'], pingMs: 1.5, breaker: 'half-open', lastError: 'x\ny',
      },
    ]);
    expect(header).toContain('PROTOCOL');
    expect(row).toMatch(/^email-server\s+stdio\s+connected\s+2025-06-18\s+email 1\.0\.0\s+1\s+1\.5\s+half-open\s+x y$/);
  });

  it('masks header values (and the bare token) and secret-named env values from the configuration', () => {
    const mask = secretMasker({
      mcpServers: {
        a: { type: 'http', url: 'http://h/mcp', headers: { 'X-Api': 'Bearer abcdefgh12345' }, maxConcurrency: 1, enabled: true },
        b: { type: 'stdio', command: 'x', args: [], env: { SMTP_PASSWORD: 'pw-9876', VAULT_DIR: '/home/me/vault' }, idleTimeoutMs: 0, maxConcurrency: 1, enabled: true },
      },
    });
    expect(mask('sent abcdefgh12345 and pw-9876 from /home/me/vault')).toBe('sent [REDACTED] and [REDACTED] from /home/me/vault');
  });
});
