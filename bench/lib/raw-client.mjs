/** The baseline: the MCP SDK client, nothing else, on the same no-op server over stdio. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './paths.mjs';

const sdk = (sub) => import(pathToFileURL(path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/sdk/dist/esm', sub)).href);
const { Client } = await sdk('client/index.js');
const { StdioClientTransport } = await sdk('client/stdio.js');

export async function connectRaw(script, env = {}, { cwd } = {}) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [script], env, cwd, stderr: 'pipe' });
  const client = new Client({ name: 'bench-raw', version: '0.0.0' });
  await client.connect(transport);
  return { client, close: () => client.close() };
}
