/**
 * The hackathon audit log: an AuditLog that appends one JSON object per line to
 * `vault/Logs/YYYY-MM-DD.json` (local day of the event) and deletes day files older than the retention.
 * Tee it with the file log (tee.ts) to get both formats.
 */
import { appendFile, mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { batchWritable } from './batch-writable.js';
import { createNullAuditLog } from './memory.js';
import { localDay } from './rotation.js';
import type { AuditEvent, AuditLog } from './types.js';
import { attemptKey, toVaultAuditEntry } from './vault-audit.js';

export interface HackathonAuditSinkOptions {
  /** The folder of day files, normally `<vault>/Logs`. */
  readonly dir: string;
  /** Day files older than this many days are deleted. Default 90. */
  readonly retentionDays?: number;
  /** When false, entries carry `parameters: {}`, like the main log leaving params out. Default true. */
  readonly logParameters?: boolean;
  readonly now?: () => Date;
  readonly onError?: (error: Error) => void;
}

/** An attempt whose outcome never comes (a crash) must not pin its PARAMS forever. */
const MAX_WAITING_PARAMS = 1_000;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

interface Line {
  readonly day: string;
  readonly text: string;
}

export function createHackathonAuditSink(options: HackathonAuditSinkOptions): AuditLog {
  const now = options.now ?? (() => new Date());
  const retentionDays = options.retentionDays ?? 90;
  const onError =
    options.onError ??
    ((error: Error) => process.stderr.write(`vault audit log: cannot write to ${options.dir}: ${error.message}\n`));
  const waitingParams = new Map<string, unknown>();
  let prunedOn: string | undefined;

  const prune = async (today: string): Promise<void> => {
    const cutoff = localDay(new Date(now().getTime() - retentionDays * 86_400_000));
    for (const name of await readdir(options.dir)) {
      const day = DAY_FILE.exec(name)?.[1];
      if (day !== undefined && day < cutoff) await unlink(path.join(options.dir, name)).catch(() => undefined);
    }
    prunedOn = today;
  };

  const writeBatch = async (lines: Line[]): Promise<void> => {
    const today = localDay(now());
    if (prunedOn !== today) {
      await mkdir(options.dir, { recursive: true });
      // Deleting old days is housekeeping: its failure is reported, never paid for with today's lines.
      await prune(today).catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
      prunedOn = today;
    }
    // Consecutive lines of one day go out in one append.
    for (let start = 0; start < lines.length; ) {
      const day = (lines[start] as Line).day;
      let end = start;
      while (end < lines.length && (lines[end] as Line).day === day) end++;
      const text = lines.slice(start, end).map((line) => line.text).join('');
      await appendFile(path.join(options.dir, `${day}.json`), text);
      start = end;
    }
  };
  const out = batchWritable<Line>(writeBatch, onError);

  let closing: Promise<void> | undefined;
  return {
    record(event: AuditEvent): void {
      if (closing) return;
      try {
        const key = attemptKey(event);
        if (event.event === 'PARAMS') {
          if (options.logParameters === false) return;
          waitingParams.set(key, event.params);
          if (waitingParams.size > MAX_WAITING_PARAMS) waitingParams.delete(waitingParams.keys().next().value as string);
          return;
        }
        const params = waitingParams.get(key);
        if (event.event === 'SUCCESS' || event.event === 'RETRY' || event.event === 'FAILED') waitingParams.delete(key);
        const at = now();
        const entry = toVaultAuditEntry(event, at, event.tool !== undefined ? params : undefined);
        if (entry) out.stream.write({ day: localDay(at), text: `${oneLineJson(entry)}\n` } satisfies Line);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close(): Promise<void> {
      closing ??= out.end();
      return closing;
    },
  };
}

/** The sink as the configuration asks for it (`logging.vaultAudit`), or a log that drops everything. */
export function hackathonAuditSinkFor(config: Config, options: Pick<HackathonAuditSinkOptions, 'now' | 'onError'> = {}): AuditLog {
  const settings = config.logging.vaultAudit;
  if (settings?.enabled === false) return createNullAuditLog();
  return createHackathonAuditSink({
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
