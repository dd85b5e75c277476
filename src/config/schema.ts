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
  type: z.enum(['http', 'streamable-http', 'streamableHttp']).transform(() => 'http' as const),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
  ...serverCommon,
});

export const ServerSchema = z.union([HttpServerSchema, StdioServerSchema]);

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
  mcpServers: z.record(z.string(), ServerSchema).default({}),
  actions: z.record(z.string(), ActionSchema).default({}),
});

export type StdioServerConfig = z.infer<typeof StdioServerSchema>;
export type HttpServerConfig = z.infer<typeof HttpServerSchema>;
export type ServerConfig = z.infer<typeof ServerSchema>;
export type ActionConfig = z.infer<typeof ActionSchema>;
export type ExecutionConfig = z.infer<typeof ExecutionSchema>;
export type LoggingConfig = z.infer<typeof LoggingSchema>;

/** A loaded configuration: validated, variables expanded, paths absolute. */
export type Config = z.infer<typeof ConfigSchema> & {
  /** Absolute path of the file it came from. */
  readonly configPath: string;
};
