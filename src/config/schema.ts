import { z } from 'zod';

/**
 * The configuration file's shape (SPEC §6), parsed once at start. Types below are derived from it,
 * so the schema is the single source of truth. Paths here are already absolute and `${VAR}` already
 * expanded: `loadConfig` does that before parsing.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const serverCommon = {
  /** Calls in flight at once on this server. */
  maxConcurrency: positiveInt.default(4),
  /** Per-call deadline; overrides `execution.timeoutMs`. */
  timeoutMs: positiveInt.optional(),
  enabled: z.boolean().default(true),
};

export const StdioServerSchema = z.strictObject({
  type: z.literal('stdio').default('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  /** Working directory of the server process; defaults to the config file's directory. */
  cwd: z.string().optional(),
  ...serverCommon,
});

export const HttpServerSchema = z.strictObject({
  /** Optional when `url` is given: a server with a `url` is an HTTP server. */
  type: z
    .enum(['http', 'streamable-http', 'streamableHttp'])
    .optional()
    .transform(() => 'http' as const),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  ...serverCommon,
});

/**
 * Is this raw server entry meant to be an HTTP server? A `url`, or a `type` other than `stdio`, says
 * so. Used to pick ONE schema per entry: a plain union would report the failures of both branches,
 * which reads as nonsense ("expected command" on an HTTP server).
 */
export function isHttpServerInput(input: unknown): boolean {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  const record = input as Record<string, unknown>;
  return 'url' in record || (record['type'] !== undefined && record['type'] !== 'stdio');
}

export const ServerSchema = z
  .unknown()
  .transform((input, ctx): HttpServerConfig | StdioServerConfig => {
    const schema = isHttpServerInput(input) ? HttpServerSchema : StdioServerSchema;
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    // Issues keep their relative paths; zod prefixes the entry's own path.
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });

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
});

/** Tuning of the daemon's watch loop and lifecycle; the defaults suit a personal vault. */
export const DaemonSchema = z.strictObject({
  /** A file written in place is claimed once unchanged this long (a renamed-in file is claimed at once). */
  stabilityMs: nonNegativeInt.default(300),
  /** Reconciling scan of Approved/ even without watch events, so a missed event only delays a plan. */
  scanIntervalMs: positiveInt.default(5_000),
  /** On SIGTERM, calls in flight get this long to finish before they are cancelled. */
  graceMs: nonNegativeInt.default(10_000),
  /** A plan deferred for longer than this (since its claim) goes to Failed/. */
  maxDeferMs: positiveInt.default(24 * 60 * 60 * 1000),
});

export const LoggingSchema = z.strictObject({
  logParameters: z.boolean().default(true),
  sanitize: z.boolean().default(true),
});

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  vault: z.string().min(1).default('../vault'),
  logs: z.string().min(1).default('../logs'),
  execution: ExecutionSchema.default(() => ExecutionSchema.parse({})),
  logging: LoggingSchema.default(() => LoggingSchema.parse({})),
  daemon: DaemonSchema.default(() => DaemonSchema.parse({})),
  mcpServers: z.record(z.string(), ServerSchema).default({}),
  actions: z.record(z.string(), ActionSchema).default({}),
});

export type StdioServerConfig = z.infer<typeof StdioServerSchema>;
export type HttpServerConfig = z.infer<typeof HttpServerSchema>;
export type ServerConfig = z.infer<typeof ServerSchema>;
export type ActionConfig = z.infer<typeof ActionSchema>;
export type ExecutionConfig = z.infer<typeof ExecutionSchema>;
export type LoggingConfig = z.infer<typeof LoggingSchema>;
export type DaemonConfig = z.infer<typeof DaemonSchema>;

/** A loaded configuration: validated, variables expanded, paths absolute. */
export type Config = z.infer<typeof ConfigSchema> & {
  /** Absolute path of the file it came from. */
  readonly configPath: string;
};
