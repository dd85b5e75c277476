/** Settings every bundled server reads from its environment the same way. */
import path from 'node:path';

/** Durable server state: `$MCP_STATE_DIR`, else `<vault>/.mcp-state` (hidden from the vault tools). */
export function stateDirFromEnv(env: NodeJS.ProcessEnv, vaultRoot: string): string {
  const dir = env.MCP_STATE_DIR?.trim();
  return dir ? path.resolve(dir) : path.join(vaultRoot, '.mcp-state');
}

/** `MCP_FAKE_NOW` (an ISO time) freezes the clock, for tests of time windows; otherwise the real clock. */
export function clockFromEnv(env: NodeJS.ProcessEnv): () => Date {
  const fake = env.MCP_FAKE_NOW?.trim();
  if (!fake) return () => new Date();
  const at = Date.parse(fake);
  if (Number.isNaN(at)) throw new Error(`MCP_FAKE_NOW "${fake}" is not an ISO time; set it like 2026-02-16T14:20:30Z or unset it`);
  return () => new Date(at);
}

export function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} "${raw}" is not a positive whole number`);
  return value;
}
