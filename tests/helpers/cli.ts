/** Test helper: run the CLI in-process with captured output. */
import { main } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], signal?: AbortSignal): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'mcp-orchestrator', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, signal ?? new AbortController().signal);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
