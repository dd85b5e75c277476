/**
 * Where one server's OAuth state lives: `<stateRoot>/oauth/<server>.json`, mode 0600 in a 0700
 * folder, outside the vault (config/state-dir.ts says why). Written whole to a temporary file and
 * renamed, so a reader (the daemon, while `auth` runs) never sees half a file. Bound to the server's
 * URL: pointing the entry at another server starts from nothing rather than sending it these tokens.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../vault/write-file-atomic.js';

const RecordSchema = z.object({
  version: z.literal(1),
  server: z.string(),
  serverUrl: z.string(),
  /** As the SDK hands it to saveClientInformation (with its `issuer` stamp): stored unchanged. */
  clientInformation: z.record(z.string(), z.unknown()).optional(),
  tokens: z.record(z.string(), z.unknown()).optional(),
  /** When the access token expires (ms since the epoch), computed from `expires_in` at save. */
  expiresAt: z.number().optional(),
  /** Its lifetime, to refresh a fixed share of it early. */
  lifetimeMs: z.number().optional(),
  discoveryState: z.record(z.string(), z.unknown()).optional(),
  /** The authorization server refused the stored authorization: only `auth` clears this. */
  refusedAt: z.number().optional(),
});

export type OAuthRecord = z.infer<typeof RecordSchema>;

export class OAuthStore {
  readonly file: string;

  constructor(
    readonly dir: string,
    readonly server: string,
    readonly serverUrl: string,
  ) {
    this.file = path.join(dir, fileNameFor(server));
  }

  /** The stored record for this server and URL; undefined when none (or unreadable, or for another URL). */
  async read(): Promise<OAuthRecord | undefined> {
    try {
      const parsed = RecordSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success && parsed.data.serverUrl === this.serverUrl ? parsed.data : undefined;
    } catch {
      return undefined; // missing, unreadable or not JSON: nothing stored
    }
  }

  async write(record: OAuthRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    // 0600 whatever bits the file had: it holds tokens.
    await writeFileAtomic(this.file, `${JSON.stringify(record, null, 2)}\n`, 0o600, undefined, 0o600);
  }

  /** A record for this server with nothing in it yet. */
  empty(): OAuthRecord {
    return { version: 1, server: this.server, serverUrl: this.serverUrl };
  }
}

/** A file name from a server name: kept readable, with a hash when characters had to be replaced. */
function fileNameFor(server: string): string {
  const safe = server.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === server && !server.startsWith('.')) return `${server}.json`;
  return `${safe.replace(/^\./, '_')}-${createHash('sha256').update(server).digest('hex').slice(0, 8)}.json`;
}
