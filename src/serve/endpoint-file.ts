/**
 * `<vault>/.orchestrator/mcp.json`: where a running `daemon --mcp-port` serves MCP (its URLs and pid),
 * so `serve` and agents on the same machine find it without being told the port. Private like the rest
 * of `.orchestrator/` (mode 0600); it holds no secret (the token is the caller's to know), and it is
 * removed when the daemon stops. A file left by a killed daemon is recognised by its dead pid.
 */
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isPidAlive, ORCHESTRATOR_DIR } from '../vault/vault-lock.js';
import { writeFileAtomic } from '../vault/write-file-atomic.js';

export const ENDPOINT_FILE = 'mcp.json';

const EndpointSchema = z.object({
  /** Streamable HTTP. */
  url: z.string(),
  /** The legacy SSE transport. */
  sse: z.string(),
  pid: z.number().int(),
  startedAt: z.string(),
});

export type Endpoint = z.infer<typeof EndpointSchema>;

export function endpointPath(vault: string): string {
  return path.join(vault, ORCHESTRATOR_DIR, ENDPOINT_FILE);
}

export async function writeEndpoint(vault: string, endpoint: Endpoint): Promise<void> {
  const file = endpointPath(vault);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(endpoint, null, 2)}\n`);
  await chmod(file, 0o600);
}

/** Removes the file if it is still this process's (a newer daemon's is left alone). */
export async function removeEndpoint(vault: string, pid = process.pid): Promise<void> {
  const current = await readEndpointFile(vault);
  if (current === undefined || current.pid === pid) await rm(endpointPath(vault), { force: true });
}

/** The endpoint of a daemon that still runs, or undefined. */
export async function readEndpoint(vault: string): Promise<Endpoint | undefined> {
  const endpoint = await readEndpointFile(vault);
  return endpoint && isPidAlive(endpoint.pid) ? endpoint : undefined;
}

async function readEndpointFile(vault: string): Promise<Endpoint | undefined> {
  try {
    const parsed = EndpointSchema.safeParse(JSON.parse(await readFile(endpointPath(vault), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
