import { z } from 'zod';

/**
 * One entry of `mcpServers` (SPEC §6): stdio, Streamable HTTP, legacy SSE, or a bare `url` that tries
 * both. Entries pasted from Claude Desktop, Claude Code (`.mcp.json`), VS Code (`mcp.json`) and the
 * clients that copy their shape (Cline, Roo, Cursor) load unchanged: the keys those clients write for
 * their own user interface are accepted and ignored, `disabled: true` means `enabled: false`, and any
 * other unknown key is still reported as a probable typo.
 */

const positiveInt = z.number().int().positive();

/**
 * Keys other clients write that mean nothing to a daemon (auto-approval lists, descriptions, their own
 * timeouts in their own units, VS Code's dev-mode and sandbox settings): accepted, then dropped.
 * `timeout` is dropped rather than mapped: Cline and Roo count seconds, others milliseconds;
 * `timeoutMs` is ours and unambiguous.
 */
const IGNORED_CLIENT_KEYS = [
  'autoApprove',
  'alwaysAllow',
  'disabledTools',
  'description',
  'timeout',
  'dev',
  'sandbox',
  'sandboxEnabled',
  'gallery',
  'version',
] as const;

const serverCommon = {
  /** Calls in flight at once on this server. */
  maxConcurrency: positiveInt.default(4),
  /** Per-call deadline; overrides `execution.timeoutMs`. */
  timeoutMs: positiveInt.optional(),
  enabled: z.boolean().default(true),
  /** With `cluster`: the nodes this server is started on (default: every node). SPEC §12. */
  nodes: z
    .array(z.string().min(1))
    .refine((nodes) => nodes.length > 0, { error: 'list at least one node, or leave `nodes` out (every node)' })
    .optional(),
};

export const StdioServerSchema = z.strictObject({
  type: z.literal('stdio').default('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  /** Working directory of the server process; defaults to the config file's directory. */
  cwd: z.string().optional(),
  /** A dotenv file (VS Code, Cursor) read at load; its variables go under `env`, which wins. */
  envFile: z.string().min(1).optional(),
  /**
   * Stopped after this long with no request in flight, started again by the next one; 0 keeps it up for
   * good. Five minutes: a burst of plans keeps the server warm (a start costs a few hundred ms), while an
   * always-on box with a few plans an hour does not hold every server's memory all day.
   */
  idleTimeoutMs: z.number().int().nonnegative().default(300_000),
  ...serverCommon,
});

/**
 * OAuth for a remote server: the authorization-code flow with PKCE (run once by `auth <server>`, the
 * tokens then refreshed by themselves), or client credentials for machine-to-machine servers. The key
 * names follow Claude Code's `oauth` block (`clientId`, `callbackPort`, `scopes`), so its entries paste.
 */
export const OAuthSchema = z
  .strictObject({
    grant: z.enum(['authorization_code', 'client_credentials']).default('authorization_code'),
    /** A pre-registered client; without it the client registers itself where the server allows. */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Space-separated scopes to ask for; the server's advertised ones by default. */
    scope: z.string().min(1).optional(),
    /** Claude Code's spelling of `scope`. */
    scopes: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Loopback port `auth` receives the redirect on; a free one by default. */
    callbackPort: z.number().int().min(1).max(65_535).optional(),
  })
  .superRefine((oauth, ctx) => {
    if (oauth.grant !== 'client_credentials') return;
    for (const key of ['clientId', 'clientSecret'] as const) {
      if (oauth[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `missing; the client_credentials grant needs ${key}` });
      }
    }
  })
  .transform(({ scopes, scope, ...rest }) => {
    const joined = scope ?? (Array.isArray(scopes) ? scopes.join(' ') : scopes);
    return { ...rest, ...(joined !== undefined ? { scope: joined } : {}) };
  });

const remoteCommon = {
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  oauth: OAuthSchema.optional(),
  ...serverCommon,
};

/** Streamable HTTP; with no `type` at all, a bare `url` that falls back to legacy SSE. */
export const HttpServerSchema = z.strictObject({
  type: z.enum(['http', 'streamable-http', 'streamableHttp']).optional(),
  ...remoteCommon,
});

/** The legacy HTTP+SSE transport (protocol 2024-11-05): a GET stream, POSTs to the endpoint it names. */
export const SseServerSchema = z.strictObject({
  type: z.literal('sse'),
  ...remoteCommon,
});

export type StdioServerConfig = z.infer<typeof StdioServerSchema>;
export type HttpServerConfig = Omit<z.infer<typeof HttpServerSchema>, 'type'> & {
  readonly type: 'http';
  /** No `type` was given: if the server refuses the Streamable HTTP initialize with a 4xx, try SSE. */
  readonly sseFallback?: boolean;
};
export type SseServerConfig = z.infer<typeof SseServerSchema>;
export type RemoteServerConfig = HttpServerConfig | SseServerConfig;
export type OAuthConfig = NonNullable<RemoteServerConfig['oauth']>;
/** An entry with `enabled: false`: not validated beyond its name, never started. */
export interface DisabledServerConfig {
  readonly type: 'disabled';
  readonly enabled: false;
  readonly maxConcurrency: number;
  readonly timeoutMs?: number;
  /** With `cluster`: not switched off but started on these other nodes only; its steps run there (SPEC §12). */
  readonly elsewhere?: readonly string[];
}
export type ServerConfig = StdioServerConfig | RemoteServerConfig | DisabledServerConfig;

type Kind = 'stdio' | 'http' | 'sse';

/**
 * Which ONE schema an entry is checked against: a plain union would report the failures of every
 * branch, which reads as nonsense ("expected command" on an HTTP server). `type` decides, else a
 * `url` means HTTP. Cline writes `transportType` for the same thing.
 */
export function serverKind(input: unknown): Kind {
  if (!isRecord(input)) return 'stdio';
  const type = input['type'] ?? input['transportType'];
  if (type === 'sse') return 'sse';
  if (type === 'stdio') return 'stdio';
  return 'url' in input || type !== undefined ? 'http' : 'stdio';
}

export function schemaOfKind(kind: Kind): typeof StdioServerSchema | typeof HttpServerSchema | typeof SseServerSchema {
  return kind === 'stdio' ? StdioServerSchema : kind === 'sse' ? SseServerSchema : HttpServerSchema;
}

/** The other clients' spellings turned into ours; their UI-only keys dropped. Pure. */
export function normalizeClientKeys(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((IGNORED_CLIENT_KEYS as readonly string[]).includes(key)) continue;
    if (key === 'disabled' && typeof value === 'boolean') {
      if (value) out['enabled'] = false;
      continue;
    }
    if (key === 'transportType' && typeof value === 'string') {
      // Cline: "stdio" | "sse" | "streamableHttp"; an explicit `type` wins.
      if (!('type' in input)) out['type'] = value;
      continue;
    }
    out[key] = value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Is this raw entry switched off (`enabled: false`, or `disabled: true`)? Then its shape is not checked. */
function isDisabledInput(input: unknown): boolean {
  return isRecord(input) && (input['enabled'] === false || input['disabled'] === true);
}

export const ServerSchema = z.unknown().transform((input, ctx): ServerConfig => {
  if (isDisabledInput(input)) {
    const record = input as Record<string, unknown>;
    const maxConcurrency = positiveInt.safeParse(record['maxConcurrency']);
    return { type: 'disabled', enabled: false, maxConcurrency: maxConcurrency.success ? maxConcurrency.data : 1 };
  }
  const normalized = isRecord(input) ? normalizeClientKeys(input) : input;
  const kind = serverKind(normalized);
  const result = schemaOfKind(kind).safeParse(normalized);
  if (!result.success) {
    // Issues keep their relative paths; zod prefixes the entry's own path.
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }
  const data = result.data;
  if (kind !== 'http') return data as StdioServerConfig | SseServerConfig;
  const { type, ...rest } = data as z.infer<typeof HttpServerSchema>;
  return { ...rest, type: 'http', ...(type === undefined ? { sseFallback: true } : {}) };
});
