/**
 * `auth <server>`: one-time OAuth authorization of a remote server (SPEC §3, §6). Authorization code
 * with PKCE through the SDK's `auth()`: the client registers itself where the server allows it (or
 * uses `oauth.clientId`), this command prints the authorization URL, receives the browser's redirect on
 * 127.0.0.1, exchanges the code, and stores the registration and tokens privately (0600, outside the
 * vault). With `"grant": "client_credentials"` it fetches a token with the configured credentials.
 * Then it connects once, to show the authorization works. No token is ever printed.
 */
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig, resolveConfigPath } from '../../config/index.js';
import type { RemoteServerConfig } from '../../config/schema.js';
import { oauthDir } from '../../config/state-dir.js';
import { systemClock } from '../../core/clock.js';
import { startLoopback } from '../../mcp/oauth/loopback.js';
import { StoredOAuthProvider, type OAuthProviderOptions } from '../../mcp/oauth/provider.js';
import { OAuthStore } from '../../mcp/oauth/store.js';
import { McpPool } from '../../mcp/pool.js';
import { maskKnownText as redact, strongestFirst } from '../../core/sanitize.js';
import { secretsOf } from '../../mcp/redact.js';
import { describeTransportError } from '../../mcp/transport-error.js';
import { parseDuration } from '../../core/duration.js';
import { messageOf } from '../../core/text.js';
import { describeError } from '../describe-error.js';
import { EXIT, type ExitCode, type Io } from '../io.js';

interface AuthCommandOptions {
  readonly configOption?: string | undefined;
  readonly timeout?: string;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

const DEFAULT_WAIT_MS = 5 * 60_000;

export async function authCommand(name: string, io: Io, options: AuthCommandOptions): Promise<ExitCode> {
  const env = options.env ?? process.env;
  let waitMs = DEFAULT_WAIT_MS;
  let server: RemoteServerConfig;
  let configDir: string;
  try {
    if (options.timeout !== undefined) waitMs = parseDuration(options.timeout);
    const config = await loadConfig(resolveConfigPath(options.configOption, env), env);
    configDir = path.dirname(config.configPath);
    const entry = Object.hasOwn(config.mcpServers, name) ? config.mcpServers[name] : undefined;
    if (entry === undefined) {
      const known = Object.keys(config.mcpServers).join(', ') || 'none';
      throw new Error(`no server "${name}" in ${config.configPath} (servers: ${known}); name one of mcpServers`);
    }
    if (entry.type !== 'http' && entry.type !== 'sse') {
      const what = entry.type === 'disabled' ? 'disabled (enabled: false)' : 'a stdio server; OAuth is for remote (url) servers';
      throw new Error(`server "${name}" is ${what}`);
    }
    server = entry;
  } catch (error) {
    io.err(`error: ${describeError(error)}`);
    return EXIT.usage;
  }

  const dir = oauthDir(env);
  const store = new OAuthStore(dir, name, server.url);
  const stored = { server: name, serverUrl: server.url, oauth: server.oauth, store, now: () => systemClock.now().getTime() };
  const mask = (text: string, provider?: StoredOAuthProvider): string =>
    redact(text, strongestFirst([...secretsOf(server), ...(provider?.secrets() ?? [])]));
  const stop = AbortSignal.any([AbortSignal.timeout(waitMs), ...(options.signal ? [options.signal] : [])]);

  let provider: StoredOAuthProvider | undefined;
  try {
    if (server.oauth?.grant === 'client_credentials') {
      provider = new StoredOAuthProvider(stored);
      await auth(provider, { serverUrl: server.url });
    } else {
      provider = await authorizeInBrowser(stored, server.oauth?.callbackPort, io, stop);
    }
  } catch (error) {
    const why = stop.aborted && !(options.signal?.aborted ?? false) ? `no redirect came back within ${options.timeout ?? '5m'}` : describeTransportError(error);
    io.err(`error: ${name}: authorization failed: ${mask(why, provider)}`);
    return EXIT.failed;
  }
  io.out(`${name}: authorized; tokens stored in ${store.file} (readable only by you); they are refreshed by themselves`);
  return verify(name, server, dir, configDir, io, (text) => mask(text, provider));
}

async function authorizeInBrowser(
  stored: Omit<OAuthProviderOptions, 'interactive'>,
  callbackPort: number | undefined,
  io: Io,
  stop: AbortSignal,
): Promise<StoredOAuthProvider> {
  const { server: name, serverUrl } = stored;
  const loopback = await startLoopback(callbackPort ?? 0);
  try {
    const state = randomBytes(16).toString('base64url');
    const provider = new StoredOAuthProvider({
      ...stored,
      interactive: {
        redirectUrl: loopback.redirectUrl,
        state,
        onAuthorizationUrl: (url) => {
          io.out(`To authorize ${name}, open this URL in a browser and approve access:`);
          io.out('');
          io.out(`  ${url.href}`);
          io.out('');
          io.out(`Waiting for the redirect to ${loopback.redirectUrl} (Ctrl-C to give up)...`);
        },
      },
    });
    const first = await auth(provider, { serverUrl });
    if (first === 'REDIRECT') {
      const code = await loopback.waitForCode(state, stop);
      const second = await auth(provider, { serverUrl, authorizationCode: code });
      if (second !== 'AUTHORIZED') throw new Error('the authorization server did not issue tokens for the code');
    }
    return provider;
  } finally {
    await loopback.close();
  }
}

/** Connects once with the stored tokens, as the daemon will, and says what the server offers. */
async function verify(
  name: string,
  server: RemoteServerConfig,
  dir: string,
  configDir: string,
  io: Io,
  mask: (text: string) => string,
): Promise<ExitCode> {
  const pool = new McpPool({
    servers: { [name]: server },
    environmentFor: () => ({}),
    defaultCwd: configDir,
    defaultTimeoutMs: server.timeoutMs ?? 30_000,
    oauthDir: dir,
  });
  try {
    const tools = await pool.listTools(name);
    io.out(`${name}: connected with the new authorization; ${tools.length} tool${tools.length === 1 ? '' : 's'}: ${tools.map((t) => t.name).join(', ') || '(none)'}`);
    return EXIT.ok;
  } catch (error) {
    io.err(`error: ${name}: authorized, but connecting with the authorization failed: ${mask(messageOf(error))}`);
    return EXIT.failed;
  } finally {
    await pool.close();
  }
}
