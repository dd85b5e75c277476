import { z } from 'zod';
import { DURATION_HINT, durationMs } from '../core/duration.js';
import { ServerSchema } from './server-schema.js';

/**
 * The configuration file's shape (SPEC §6), parsed once at start. Types below are derived from it,
 * so the schema is the single source of truth. Paths here are already absolute and `${VAR}` already
 * expanded: `loadConfig` does that before parsing.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const ActionSchema = z.strictObject({
  server: z.string().min(1),
  tool: z.string().min(1),
  keywords: z.array(z.string().min(1)).default([]),
  /** May an attempt whose outcome is unknown be sent again? */
  idempotent: z.boolean().default(false),
  retries: nonNegativeInt.optional(),
  timeoutMs: positiveInt.optional(),
  /** Arguments merged under the step's own. */
  defaults: z.record(z.string(), z.unknown()).default({}),
  description: z.string().optional(),
  /** At most `max` calls per `per` (ms, or "30s", "10m", "1h", "1d"); more are deferred, never failed. */
  rateLimit: z.lazy(() => RateLimitSchema).optional(),
});

export const ExecutionSchema = z.strictObject({
  mode: z.enum(['sequential', 'parallel']).default('sequential'),
  timeoutMs: positiveInt.default(30_000),
  maxRetries: nonNegativeInt.default(3),
  retryDelayMs: nonNegativeInt.default(2_000),
  maxConcurrentPlans: positiveInt.default(4),
  strict: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  /** How long a deferred plan waits when the server gave no Retry-After. */
  deferDelayMs: positiveInt.default(60_000),
  /**
   * A result's text (and its structured part) larger than this many bytes is cut and flagged; a later
   * step's template may not use a cut value. The journal keeps results exactly up to this size.
   */
  maxResultBytes: positiveInt.default(1024 * 1024),
});

/** Tuning of the daemon's watch loop and lifecycle; the defaults suit a personal vault. */
const DaemonSchema = z.strictObject({
  /** A file written in place is claimed once unchanged this long (a renamed-in file is claimed at once). */
  stabilityMs: nonNegativeInt.default(300),
  /** Reconciling scan of Approved/ even without watch events, so a missed event only delays a plan. */
  scanIntervalMs: positiveInt.default(5_000),
  /** On SIGTERM, calls in flight get this long to finish before they are cancelled. */
  graceMs: nonNegativeInt.default(10_000),
  /** A plan deferred for longer than this (since its claim) goes to Failed/. */
  maxDeferMs: positiveInt.default(24 * 60 * 60 * 1000),
  /** Past this size the journal is rewritten to the live plans' records, so months of running stay small. */
  journalMaxBytes: positiveInt.default(16 * 1024 * 1024),
  /**
   * How long the journal remembers a plan that failed, needs review or was moved out of In_Progress/
   * unfinished, so that moving it back continues it (succeeded steps skipped, unknown outcomes to review).
   */
  journalRetention: z.lazy(() => DurationSchema).default(30 * 86_400_000),
});

/** Rotation of `logs/mcp_actions.log` and `.jsonl`; when absent, the defaults below apply. */
export const LogRotationSchema = z.strictObject({
  /** Rotate a file before it would grow past this many bytes; 0 turns size rotation off. */
  maxBytes: nonNegativeInt.default(20 * 1024 * 1024),
  /** Also rotate when the local day changes. */
  daily: z.boolean().default(false),
  /** Rotated files kept per log; older ones are deleted. */
  keep: positiveInt.default(10),
  /** Rotated files older than this many days are deleted, whatever `keep` says. */
  keepDays: positiveInt.optional(),
});

/** The hackathon audit format, `vault/Logs/YYYY-MM-DD.json`; when absent, the defaults below apply. */
const VaultAuditSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Day files older than this are deleted. */
  retentionDays: positiveInt.default(90),
});

export const LoggingSchema = z.strictObject({
  logParameters: z.boolean().default(true),
  sanitize: z.boolean().default(true),
  rotate: LogRotationSchema.optional(),
  vaultAudit: VaultAuditSchema.optional(),
});

/** A duration: milliseconds, or a number with a unit (`500ms`, `30s`, `10m`, `1h`, `1d`): core/duration.ts. */
const DurationSchema = z.union(
  [
    positiveInt,
    z
      .string()
      .refine((text) => durationMs(text) !== undefined)
      .transform((text) => durationMs(text) as number),
  ],
  { error: `expected a duration: milliseconds, or ${DURATION_HINT}` },
);

const RateLimitSchema = z.strictObject({
  max: positiveInt,
  per: DurationSchema,
});

/**
 * One circuit breaker per server (issue 7). An authentication failure keeps a server's breaker open
 * until the daemon restarts (with corrected configuration or credentials): no probe could fix it.
 */
const BreakerSchema = z.strictObject({
  /** Consecutive failures (server_error, connection, timeout, ambiguous) that open it. */
  failureThreshold: positiveInt.default(5),
  /** How long it stays open before one probe call is let through. */
  coolDown: DurationSchema.default(30_000),
});

/** When the daemon raises an ALERT (audit log, Dashboard.md, optional webhook). */
const AlertsSchema = z.strictObject({
  /** POSTed a JSON object per alert raised or resolved; its own failures are only logged. */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** A server whose breaker has been open this long. */
  serverDown: DurationSchema.default(5 * 60_000),
  /** This many plans ending in Failed/ or Needs_Review/ within `failedPlansWithin`. */
  failedPlans: positiveInt.default(3),
  failedPlansWithin: DurationSchema.default(60 * 60_000),
  /** More plans than this waiting to run. */
  queueThreshold: positiveInt.default(20),
});

const DashboardSchema = z.strictObject({
  /** `<vault>/Dashboard.md`, rewritten by the daemon on change, at most once a second. */
  enabled: z.boolean().default(true),
});

/**
 * The orchestrator's own MCP server (SPEC §11): `serve` over stdio, and `daemon --mcp-port` over HTTP,
 * which needs a bearer token (`token`, else `$ORCHESTRATOR_TOKEN`).
 */
const ServeSchema = z.strictObject({
  /** Address `daemon --mcp-port` listens on. Anything but loopback exposes the server: keep the token secret. */
  host: z.string().min(1).default('127.0.0.1'),
  token: z.string().min(1).optional(),
  /** Host names accepted in the Host and Origin headers besides loopback's and `host` (DNS rebinding guard). */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /** `submit_plan` calls accepted per process: a burst of `max`, refilled over `per`. */
  submissions: RateLimitSchema.default({ max: 10, per: 60_000 }),
});

/** A node's name: it appears in the database and in log lines, so a plain word. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Several daemons on several hosts as one executor (SPEC §12): claims and the step journal in
 * PostgreSQL. Absent: the embedded single-host files, exactly as without it.
 */
const ClusterSchema = z.strictObject({
  /** A connection URL (`postgres://user:password@host:5432/db`, typically `${DATABASE_URL}`): a secret, never logged. */
  postgres: z
    .string({ error: 'expected the PostgreSQL connection URL, e.g. "${DATABASE_URL}"' })
    .refine((url) => /^postgres(ql)?:\/\/[^\s]+$/.test(url), {
      error: 'expected a PostgreSQL connection URL: postgres://user:password@host:5432/database',
    }),
  /** This host's name among the nodes (typically `${ORCHESTRATOR_NODE}`); the same file serves every host. */
  node: z.string({ error: 'expected this host\'s node name, e.g. "${ORCHESTRATOR_NODE}"' }).refine((name) => NODE_NAME.test(name), {
    error: 'expected a node name of letters, digits, ".", "_" or "-" (at most 63), e.g. "laptop"',
  }),
  /** How long a claim is held without a heartbeat; a node silent longer loses its plans to another node. */
  leaseMs: z
    .lazy(() => DurationSchema)
    .default(15_000)
    .refine((ms) => ms >= 500, { error: 'expected at least 500 ms (heartbeats go out every third of it)' }),
});

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  vault: z.string().min(1).default('../vault'),
  logs: z.string().min(1).default('../logs'),
  /**
   * The daemon's private state for this vault (journal, rate-limit ledger, health, the bundled servers'
   * ledgers): default `<state root>/vaults/<hash of the vault's path>` (state-dir.ts), outside the vault.
   */
  state: z.string().min(1).optional(),
  execution: ExecutionSchema.default(() => ExecutionSchema.parse({})),
  logging: LoggingSchema.default(() => LoggingSchema.parse({})),
  daemon: DaemonSchema.default(() => DaemonSchema.parse({})),
  mcpServers: z.record(z.string(), ServerSchema).default({}),
  /** VS Code's `mcp.json` input prompts; `\${input:ID}` reads \$MCP_INPUT_<ID> instead (expand.ts). */
  inputs: z.array(z.unknown()).optional(),
  actions: z.record(z.string(), ActionSchema).default({}),
  breaker: BreakerSchema.default(() => BreakerSchema.parse({})),
  alerts: AlertsSchema.default(() => AlertsSchema.parse({})),
  dashboard: DashboardSchema.default(() => DashboardSchema.parse({})),
  serve: ServeSchema.default(() => ServeSchema.parse({})),
  cluster: ClusterSchema.optional(),
});

export type { OAuthConfig, RemoteServerConfig, ServerConfig, StdioServerConfig } from './server-schema.js';
export { ServerSchema, StdioServerSchema } from './server-schema.js';
export type ActionConfig = z.infer<typeof ActionSchema>;
export type ExecutionConfig = z.infer<typeof ExecutionSchema>;
export type LoggingConfig = z.infer<typeof LoggingSchema>;
export type LogRotationConfig = z.infer<typeof LogRotationSchema>;

/** A loaded configuration: validated, variables expanded, paths absolute. */
export type Config = Omit<z.infer<typeof ConfigSchema>, 'state'> & {
  /** Absolute path of the file it came from. */
  readonly configPath: string;
  /** Absolute path of this vault's private state directory. */
  readonly state: string;
  /**
   * Values environment variables put into this configuration (config/expand.ts), longest first: never
   * written to a log, a plan file, the journal or the vault audit (SPEC §8). Absent: none.
   */
  readonly envValues?: readonly string[];
};
