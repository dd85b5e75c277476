/**
 * The hackathon audit log: appends one JSON object per line to `vault/Logs/YYYY-MM-DD.json` (local day
 * of the event) and deletes day files older than the retention. It hears the plan events (its
 * subscriber) and the daemon's notices (its AuditLog side), each mapped once by vault-audit.ts.
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { errorOf, localDay } from '../core/text.js';
import type { Config } from '../config/schema.js';
import type { Subscriber } from '../events/event-stream.js';
import { batchWritable } from './batch-writable.js';
import { KeptAppendFile } from './kept-append.js';
import type { AuditLog } from './types.js';
import { vaultEntriesOf, vaultEntryOfNotice, type VaultAuditEntry } from './vault-audit.js';

interface VaultAuditOptions {
  /** The folder of day files, normally `<vault>/Logs`. */
  readonly dir: string;
  /** Day files older than this many days are deleted. Default 90. */
  readonly retentionDays?: number;
  /** When false, entries carry `parameters: {}`, like the main log leaving params out. Default true. */
  readonly logParameters?: boolean;
  readonly clock: Clock;
  readonly onError?: (error: Error) => void;
}

interface VaultAudit {
  readonly subscriber: Subscriber;
  /** Alerts and other notices; `close()` waits for every entry to be written. */
  readonly notices: AuditLog;
}

const PROMPT_EVENTS = new Set<string>(['plan_ended', 'plan_moved', 'deferred', 'released']);

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

interface Line {
  readonly day: string;
  readonly text: string;
}

export function createVaultAudit(options: VaultAuditOptions): VaultAudit {
  const { clock } = options;
  const retentionDays = options.retentionDays ?? 90;
  const logParameters = options.logParameters !== false;
  const onError =
    options.onError ??
    ((error: Error) => process.stderr.write(`vault audit log: cannot write to ${options.dir}: ${error.message}\n`));
  let prunedOn: string | undefined;
  // The day file being appended to, its descriptor kept until the day changes or the log ends.
  let current: KeptAppendFile | undefined;

  const prune = async (): Promise<void> => {
    const cutoff = localDay(new Date(clock.now().getTime() - retentionDays * 86_400_000));
    for (const name of await readdir(options.dir)) {
      const day = DAY_FILE.exec(name)?.[1];
      if (day !== undefined && day < cutoff) await unlink(path.join(options.dir, name)).catch(() => undefined);
    }
  };

  // A batch holds the lines of one day (keyOf below).
  const writeBatch = async (lines: Line[]): Promise<void> => {
    const day = (lines[0] as Line).day;
    const today = localDay(clock.now());
    if (prunedOn !== today) {
      await mkdir(options.dir, { recursive: true });
      // Deleting old days is housekeeping: its failure is reported, never paid for with today's lines.
      await prune().catch((error: unknown) => onError(errorOf(error)));
      prunedOn = today;
    }
    const file = path.join(options.dir, `${day}.json`);
    if (current?.file !== file) {
      await current?.close();
      current = new KeptAppendFile(file);
    }
    await current.append(lines.map((line) => line.text).join(''), clock.now().getTime());
  };
  // Collected like the main log's lines (logger.ts), one append per day: a plan's end and the daemon's notices go out at once.
  const out = batchWritable<Line>(writeBatch, onError, { final: async () => current?.close(), windowMs: 5, keyOf: (line) => line.day });
  let closing: Promise<void> | undefined;
  const write = (entry: VaultAuditEntry, at: Date): void => {
    if (!closing) out.stream.write({ day: localDay(at), text: `${oneLineJson(entry)}\n` } satisfies Line);
  };

  return {
    subscriber: (event) => {
      for (const entry of vaultEntriesOf(event, logParameters)) write(entry, event.at);
      if (PROMPT_EVENTS.has(event.type)) out.flushSoon();
    },
    notices: {
      record(notice) {
        try {
          const at = clock.now();
          const entry = vaultEntryOfNotice(notice, at);
          if (entry) {
            write(entry, at);
            out.flushSoon();
          }
        } catch (error) {
          onError(errorOf(error));
        }
      },
      close() {
        closing ??= out.end();
        return closing;
      },
    },
  };
}

/** The vault audit as the configuration asks for it (`logging.vaultAudit`), or undefined when it is off. */
export function vaultAuditFor(config: Config, options: Pick<VaultAuditOptions, 'clock' | 'onError'>): VaultAudit | undefined {
  const settings = config.logging.vaultAudit;
  if (settings?.enabled === false) return undefined;
  return createVaultAudit({
    dir: path.join(config.vault, 'Logs'),
    logParameters: config.logging.logParameters,
    ...(settings ? { retentionDays: settings.retentionDays } : {}),
    ...options,
  });
}

/** JSON.stringify escapes line breaks; U+2028/2029 too, so no reader can split an entry. */
function oneLineJson(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
