/**
 * `serve`: the orchestrator's own MCP server over stdio (SPEC §11), for Claude Desktop, Claude Code or
 * any MCP client. Beside a daemon or without one; it takes no lock and runs no plan. stdout carries
 * the protocol, so everything for people goes to stderr.
 */
import { openServeContext } from '../../serve/context.js';
import { serveStdio } from '../../serve/stdio.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';

export async function serveCommand(runtime: Runtime, io: Io, options: { readonly signal: AbortSignal }): Promise<ExitCode> {
  const ctx = await openServeContext({
    config: runtime.config,
    clock: runtime.clock,
    pool: runtime.pool,
    schemaChecker: runtime.schemaChecker,
    audit: runtime.audit,
  });
  io.err(`mcp-orchestrator serve: MCP over stdio for the vault ${runtime.config.vault}`);
  try {
    await serveStdio(ctx, options.signal);
  } finally {
    await ctx.close();
  }
  return EXIT.ok;
}
