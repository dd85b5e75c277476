/**
 * What a command needs to act: the loaded configuration, the one clock, the MCP client pool, the audit
 * log for notices and the sinks that hear the plan events (the log files, the vault audit), opened
 * together and closed together.
 */
import path from 'node:path';
import { createNullAuditLog } from '../audit/memory.js';
import { planLinesSubscriber } from '../audit/plan-lines.js';
import { maskedAuditLog, teeAuditLogs } from '../audit/tee.js';
import type { AuditLog } from '../audit/types.js';
import { vaultAuditFor } from '../audit/vault-audit-sink.js';
import { loadConfig, resolveConfigPath, serverEnvironment } from '../config/index.js';
import type { Config } from '../config/schema.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Subscriber } from '../events/event-stream.js';
import { McpPool } from '../mcp/pool.js';
import { createSchemaChecker, type SchemaChecker } from '../plan/schema-check.js';

export interface Runtime {
  readonly config: Config;
  readonly clock: Clock;
  readonly pool: McpPool;
  /** The daemon's and the commands' notices (ALERT, refused files). */
  readonly audit: AuditLog;
  /** Subscribers for the plan events: the log files and the vault audit. */
  readonly sinks: readonly Subscriber[];
  /** One per process: compiled tool schemas are reused by every plan. */
  readonly schemaChecker: SchemaChecker;
  close(): Promise<void>;
}

export async function loadConfigFrom(option: string | undefined): Promise<Config> {
  return loadConfig(resolveConfigPath(option));
}

export async function openRuntime(config: Config, options: { audit?: boolean; clock?: Clock } = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const pool = new McpPool({
    servers: config.mcpServers,
    environmentFor: (_name, server) => (server.type === 'stdio' ? serverEnvironment(server, config) : {}),
    defaultCwd: path.dirname(config.configPath),
    defaultTimeoutMs: config.execution.timeoutMs,
    clock,
  });
  let audit: AuditLog = createNullAuditLog();
  const sinks: Subscriber[] = [];
  if (options.audit !== false) {
    // The tail-able log and its JSON twin in logs/, and the hackathon-format daily files in vault/Logs/.
    // winston is loaded only by the commands that log (check, servers and stats do not).
    const { createAuditLog } = await import('../audit/logger.js');
    const files = createAuditLog({ logsDir: config.logs, logging: config.logging, clock });
    const vaultAudit = vaultAuditFor(config, { clock });
    sinks.push(planLinesSubscriber(files));
    if (vaultAudit) sinks.push(vaultAudit.subscriber);
    audit = maskedAuditLog(vaultAudit ? teeAuditLogs(files, vaultAudit.notices) : files, config.envValues ?? []);
  }
  return {
    config,
    clock,
    pool,
    audit,
    sinks,
    schemaChecker: createSchemaChecker(),
    async close() {
      await pool.close();
      await audit.close();
    },
  };
}
