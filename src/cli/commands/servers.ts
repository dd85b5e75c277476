/** `servers [--json]`: each configured server, reachable or not, its tools, and a ping's latency. */
import type { Runtime } from '../runtime.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import { sanitizeText } from '../../audit/sanitize.js';

interface ServerReport {
  readonly name: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly reachable: boolean;
  readonly protocolServer?: string;
  readonly tools: string[];
  readonly pingMs?: number;
  readonly error?: string;
}

export async function serversCommand(runtime: Runtime, io: Io, options: { json: boolean }): Promise<ExitCode> {
  const reports = await Promise.all(
    Object.entries(runtime.config.mcpServers).map(async ([name, server]): Promise<ServerReport> => {
      const base = { name, type: server.type, enabled: server.enabled };
      if (!server.enabled) return { ...base, reachable: false, tools: [] };
      try {
        const tools = await runtime.pool.listTools(name);
        const pingMs = Math.round((await runtime.pool.ping(name)) * 10) / 10;
        const version = runtime.pool.status().find((s) => s.name === name)?.serverVersion;
        return {
          ...base,
          reachable: true,
          tools: tools.map((tool) => tool.name),
          pingMs,
          ...(version ? { protocolServer: `${version.name} ${version.version}` } : {}),
        };
      } catch (error) {
        // Error text can carry a URL with credentials; mask it like the logs do.
        return { ...base, reachable: false, tools: [], error: sanitizeText(error instanceof Error ? error.message : String(error)) };
      }
    }),
  );
  if (options.json) {
    io.out(JSON.stringify(reports, null, 2));
  } else {
    for (const r of reports) {
      const state = !r.enabled ? 'disabled' : r.reachable ? `reachable, ping ${r.pingMs} ms` : 'UNREACHABLE';
      io.out(`${r.name} (${r.type}): ${state}${r.protocolServer ? `, ${r.protocolServer}` : ''}`);
      if (r.tools.length > 0) io.out(`  tools: ${r.tools.join(', ')}`);
      if (r.error) io.out(`  error: ${r.error}`);
    }
  }
  return reports.every((r) => r.reachable || !r.enabled) ? EXIT.ok : EXIT.failed;
}
