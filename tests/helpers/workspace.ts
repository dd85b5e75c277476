/**
 * Test helper: a temporary project — config file, vault, logs — wired to the scripted MCP server
 * (tests/fixtures/servers/scripted-server.ts, built to dist/) over stdio, and optionally over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { builtPath } from './stdio-client.js';

export const SCRIPTED_SERVER = builtPath('tests/fixtures/servers/scripted-server.js');

export interface RecordedCall {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly meta?: Record<string, unknown>;
  readonly pid: number;
  readonly at: number;
  /** SERVER_NODE of the server that received it. */
  readonly node?: string;
}

export interface Workspace {
  readonly dir: string;
  readonly vault: string;
  readonly logs: string;
  /** The vault's private state directory (journal, ledgers, health). */
  readonly state: string;
  readonly configPath: string;
  readonly callsFile: string;
  /** Plan file names (`*.md`) in a vault folder. */
  list(folder: string): Promise<string[]>;
  /** Writes a plan file under the vault (default folder Plans/) and returns its path. */
  writePlan(name: string, text: string, folder?: string): Promise<string>;
  calls(): Promise<RecordedCall[]>;
  readLog(name?: 'mcp_actions.log' | 'mcp_actions.jsonl'): Promise<string>;
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Extra actions merged over the defaults below. */
  readonly actions?: Record<string, unknown>;
  readonly execution?: Record<string, unknown>;
  readonly logging?: Record<string, unknown>;
  readonly daemon?: Record<string, unknown>;
  /** Extra servers (e.g. an HTTP one). */
  readonly servers?: Record<string, unknown>;
  readonly serverOptions?: Record<string, unknown>;
}

export async function createWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  // The run's tag in the name lets the no-leftovers check find an orphan by its working directory.
  const dir = await mkdtemp(path.join(os.tmpdir(), `orch-${process.env['ORCH_TEST_RUN'] ?? 'run'}-`));
  const vault = path.join(dir, 'vault');
  const logs = path.join(dir, 'logs');
  const callsFile = path.join(dir, 'calls.jsonl');
  await mkdir(path.join(vault, 'Plans'), { recursive: true });
  await writeFile(callsFile, '');
  const configPath = path.join(dir, 'config', 'orchestrator.json');
  await mkdir(path.dirname(configPath), { recursive: true });
  const config = {
    vault: '../vault',
    logs: '../logs',
    state: '../state',
    execution: { timeoutMs: 5_000, maxRetries: 2, retryDelayMs: 10, ...options.execution },
    logging: { logParameters: true, sanitize: true, ...options.logging },
    daemon: { scanIntervalMs: 500, graceMs: 5_000, ...options.daemon },
    mcpServers: {
      scripted: {
        command: process.execPath,
        args: [SCRIPTED_SERVER],
        env: { CALLS_FILE: callsFile, STATE_DIR: path.join(dir, 'scripted-state') },
        maxConcurrency: 8,
        ...options.serverOptions,
      },
      ...options.servers,
    },
    actions: {
      echo: { server: 'scripted', tool: 'echo', keywords: ['say', 'echo'], idempotent: true },
      add: { server: 'scripted', tool: 'add', keywords: ['add up'], idempotent: true },
      act: { server: 'scripted', tool: 'act', idempotent: false },
      act_idempotent: { server: 'scripted', tool: 'act', idempotent: true },
      send: { server: 'scripted', tool: 'send', keywords: ['send a message'], idempotent: false },
      ...options.actions,
    },
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return {
    dir,
    vault,
    logs,
    state: path.join(dir, 'state'),
    configPath,
    callsFile,
    async list(folder) {
      const names = await readdir(path.join(vault, folder)).catch(() => [] as string[]);
      return names.filter((name) => name.endsWith('.md') && !name.startsWith('.')).sort();
    },
    async writePlan(name, text, folder = 'Plans') {
      const file = path.join(vault, folder, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    async calls() {
      const text = await readFile(callsFile, 'utf8');
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as RecordedCall);
    },
    async readLog(name = 'mcp_actions.log') {
      return readFile(path.join(logs, name), 'utf8').catch(() => '');
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Starts the scripted server over Streamable HTTP; resolves with its URL once it listens. */
export async function startHttpServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [SCRIPTED_SERVER, '--http'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /listening (\d+)/.exec(buffer);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`http test server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
