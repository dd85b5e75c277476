/**
 * `mcp.json` in the vault's private state: where a running `daemon --mcp-port` serves MCP (its URLs and
 * pid), so `serve` and agents on the same machine find it without being told the port. Private like the
 * rest of the state (mode 0600); it holds no secret (the token is the caller's to know), and it is
 * removed when the daemon stops. A file left by a killed daemon is recognised by its dead pid.
 */
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isPidAlive } from '../monitor/health-file.js';
import { writeFileAtomic } from '../vault/write-file-atomic.js';

const EndpointSchema = z.object({
  /** Streamable HTTP. */
  url: z.string(),
  /** The legacy SSE transport. */
  sse: z.string(),
  pid: z.number().int(),
  startedAt: z.string(),
});

export type Endpoint = z.infer<typeof EndpointSchema>;

/** `state`: the vault's private state directory (config.state). */
function endpointPath(state: string): string {
  return path.join(state, 'mcp.json');
}

export async function writeEndpoint(state: string, endpoint: Endpoint): Promise<void> {
  const file = endpointPath(state);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(endpoint, null, 2)}\n`, 0o600);
  await chmod(file, 0o600);
}

/** Removes the file if it is still this process's (a newer daemon's is left alone). */
export async function removeEndpoint(state: string, pid = process.pid): Promise<void> {
  const current = await readEndpointFile(state);
  if (current === undefined || current.pid === pid) await rm(endpointPath(state), { force: true });
}

/** The endpoint of a daemon that still runs, or undefined. */
export async function readEndpoint(state: string): Promise<Endpoint | undefined> {
  const endpoint = await readEndpointFile(state);
  return endpoint && isPidAlive(endpoint.pid) ? endpoint : undefined;
}

async function readEndpointFile(state: string): Promise<Endpoint | undefined> {
  try {
    const parsed = EndpointSchema.safeParse(JSON.parse(await readFile(endpointPath(state), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
