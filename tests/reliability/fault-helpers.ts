/**
 * Test helpers for the reliability suite: a temporary workspace wired to the fault-injecting server
 * (tests/fixtures/servers/fault-server.ts, built to dist/), over stdio and optionally HTTP, and plan
 * builders for its `fault` tool.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { builtPath } from '../helpers/stdio-client.js';
import { createWorkspace, type RecordedCall, type Workspace, type WorkspaceOptions } from '../helpers/workspace.js';

export const FAULT_SERVER = builtPath('tests/fixtures/servers/fault-server.js');

export interface FaultCall extends RecordedCall {
  readonly move: string;
  readonly n: number;
}

export interface FaultWorkspace extends Workspace {
  faultCalls(): Promise<FaultCall[]>;
}

export interface FaultOptions extends WorkspaceOptions {
  /** Extra environment of the stdio fault server. */
  readonly faultEnv?: Record<string, string>;
  /** Overrides of the `fault` server entry (timeoutMs, maxConcurrency, …). */
  readonly faultServer?: Record<string, unknown>;
}

/** The `fault` server (stdio) with actions `fault` (not idempotent) and `fault_idem` (idempotent). */
export async function createFaultWorkspace(options: FaultOptions = {}): Promise<FaultWorkspace> {
  const ws = await createWorkspace(options);
  const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
  config.mcpServers = {
    ...config.mcpServers,
    fault: {
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { CALLS_FILE: ws.callsFile, STATE_DIR: path.join(ws.dir, 'fault-state'), ...options.faultEnv },
      maxConcurrency: 8,
      ...options.faultServer,
    },
  };
  config.actions = {
    fault: { server: 'fault', tool: 'fault', idempotent: false },
    fault_idem: { server: 'fault', tool: 'fault', idempotent: true },
    ...config.actions,
  };
  await writeFile(ws.configPath, JSON.stringify(config, null, 2));
  return {
    ...ws,
    async faultCalls() {
      return (await ws.calls()).filter((call): call is FaultCall => call.tool === 'fault' || call.tool === 'chaos');
    },
  };
}

export interface FaultStep {
  readonly action: string;
  readonly name: string;
  readonly script: readonly string[];
  readonly extra?: string;
}

/** A checklist plan whose steps call the `fault` tool with the given scripts. */
export function faultPlan(id: string, steps: readonly FaultStep[], frontMatter = ''): string {
  const lines = ['---', `id: ${id}`, ...(frontMatter ? [frontMatter] : []), '---', '## Steps'];
  for (const step of steps) {
    lines.push(`- [ ] ${step.name}`, '  ```yaml', `  action: ${step.action}`, `  name: ${step.name}`, `  script: ${JSON.stringify(step.script)}`);
    if (step.extra) lines.push(...step.extra.split('\n').map((line) => `  ${line}`));
    lines.push('  ```');
  }
  return `${lines.join('\n')}\n`;
}

/** Starts the fault server over Streamable HTTP; resolves with its URL once it listens. */
export async function startFaultHttp(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [FAULT_SERVER, '--http'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /listening (\d+)/.exec(buffer);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the HTTP fault server exited with ${String(code)}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** `status: …` of a plan file's front matter. */
export function statusOf(text: string): string | undefined {
  return /^status: (\S+)$/m.exec(text)?.[1];
}
