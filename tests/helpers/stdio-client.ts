/**
 * Test helper: start a built MCP server (under dist/) as a child process over real stdio and connect
 * an SDK client to it. Tests talk to servers only through this, never by importing their functions.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of a built file, e.g. builtPath('mcp_servers/email/server.js'). */
export function builtPath(relative: string): string {
  return path.join(REPO_ROOT, 'dist', relative);
}

export interface StdioConnection {
  readonly client: Client;
  readonly stderr: () => string;
  close(): Promise<void>;
}

export async function connectStdio(
  script: string,
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): Promise<StdioConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script],
    env: { ...getDefaultEnvironment(), ...env },
    cwd: options.cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'test-client', version: '0.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    close: () => client.close(),
  };
}
