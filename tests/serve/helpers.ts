/**
 * Test helpers for the orchestrator's own MCP server: an SDK client on `mcp-orchestrator serve` (the
 * built CLI as a child process over real stdio) or on a daemon's `--mcp-port` (Streamable HTTP, SSE),
 * and a fingerprint of the vault to prove what a call did not change.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ProgressNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN } from '../helpers/daemon-process.js';

export interface ServeConnection {
  readonly client: Client;
  stderr(): string;
  close(): Promise<void>;
}

export async function connectServe(configPath: string, env: Record<string, string> = {}): Promise<ServeConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'serve', '--config', configPath],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'serve-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

export async function connectHttp(url: string, token: string | undefined, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '0.0.0' });
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { ...auth, ...headers } } }));
  return client;
}

export async function connectSse(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'sse-test', version: '0.0.0' });
  const headers = { authorization: `Bearer ${token}` };
  await client.connect(
    new SSEClientTransport(new URL(url), {
      requestInit: { headers },
      eventSourceInit: { fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
    }),
  );
  return client;
}

/**
 * Every `notifications/progress` for `token`, in order of arrival. The SDK client's own `onprogress`
 * drops a notification that arrives in the same read as the response it belongs to (notifications are
 * handled a microtask later, after the response has removed the handler), so a client-wide handler
 * collects them instead: what a client that reads the wire sees.
 */
export function collectProgress(client: Client, token: string): { progress: number; total?: number; message?: string }[] {
  const seen: { progress: number; total?: number; message?: string }[] = [];
  client.setNotificationHandler(ProgressNotificationSchema, (notification) => {
    const { progressToken, ...rest } = notification.params;
    if (progressToken === token) seen.push(rest);
  });
  return seen;
}

/** A tool call's result, typed for assertions. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult & { structuredContent?: Record<string, any> }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent?: Record<string, any> };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** Every file under the vault except `except` folders, by relative path, with a hash of its bytes. */
export async function fingerprint(vault: string, except: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(vault, full);
      if (except.some((folder) => relative === folder || relative.startsWith(`${folder}${path.sep}`))) continue;
      if (entry.isDirectory()) await walk(full);
      else out[relative] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  };
  await walk(vault);
  return out;
}

/** A valid two-step plan on the scripted server: echo, then add. */
export function twoStepPlan(id: string, text = 'hello from the loop'): string {
  return [
    '---',
    `id: ${id}`,
    '---',
    `# Plan: ${id}`,
    '## Steps',
    '- [ ] Say it',
    '  ```yaml',
    '  id: say',
    '  action: echo',
    `  text: ${text}`,
    '  ```',
    '- [ ] Add up',
    '  ```yaml',
    '  action: add',
    '  a: 2',
    '  b: 3',
    '  ```',
    '',
  ].join('\n');
}

/** A plan with three problems, each on its own step and line. */
export const BAD_PLAN = [
  '---',
  'id: bad-plan',
  '---',
  '## Steps',
  '- [ ] Unknown action',
  '  ```yaml',
  '  action: teleport',
  '  ```',
  '- [ ] Wrong argument type',
  '  ```yaml',
  '  action: add',
  '  a: two',
  '  b: 3',
  '  ```',
  '- [ ] Unknown template',
  '  ```yaml',
  '  action: echo',
  '  text: "{{ steps.nowhere.text }}"',
  '  ```',
  '',
].join('\n');
