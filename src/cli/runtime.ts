/**
 * What a command needs to act: the loaded configuration, the MCP client pool and the audit log, opened
 * together and closed together.
 */
import { createAuditLog, type AuditLog } from '../audit/logger.js';
import { createNullAuditLog } from '../audit/memory.js';
import { teeAuditLogs } from '../audit/tee.js';
import { hackathonAuditSinkFor } from '../audit/vault-audit-sink.js';
import { loadConfig, resolveConfigPath, serverEnvironment } from '../config/index.js';
import type { Config } from '../config/schema.js';
import { McpPool } from '../mcp/pool.js';
import { createSchemaChecker, type SchemaChecker } from '../plan/schema-check.js';
import path from 'node:path';

export interface Runtime {
  readonly config: Config;
  readonly pool: McpPool;
  readonly audit: AuditLog;
  /** One per process: compiled tool schemas are reused by every plan. */
  readonly schemaChecker: SchemaChecker;
  close(): Promise<void>;
}

export async function loadConfigFrom(option: string | undefined): Promise<Config> {
  return loadConfig(resolveConfigPath(option));
}

export async function openRuntime(config: Config, options: { audit?: boolean } = {}): Promise<Runtime> {
  const pool = new McpPool({
    servers: config.mcpServers,
    environmentFor: (_name, server) => (server.type === 'stdio' ? serverEnvironment(server, config) : {}),
    defaultCwd: path.dirname(config.configPath),
    defaultTimeoutMs: config.execution.timeoutMs,
  });
  // The tail-able log and its JSON twin in logs/, and the hackathon-format daily files in vault/Logs/.
  const audit =
    options.audit === false
      ? createNullAuditLog()
      : teeAuditLogs(createAuditLog({ logsDir: config.logs, logging: config.logging }), hackathonAuditSinkFor(config));
  return {
    config,
    pool,
    audit,
    schemaChecker: createSchemaChecker(),
    async close() {
      await pool.close();
      await audit.close();
    },
  };
}

