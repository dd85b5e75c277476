/**
 * The audit log on disk (SPEC §8): `mcp_actions.log` (human lines, for `tail -F`) and
 * `mcp_actions.jsonl` (the same events as JSON lines, for `stats`), both append-only, via winston,
 * each rotated by size and/or day with retention (`logging.rotate`, rotating-file.ts).
 *
 * Winston's Stream transport over our own rotating streams, not its File transport: the File
 * transport swallows open errors (an unwritable file would make close() wait forever) and we need
 * close() to mean "on disk".
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import type { LoggingConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { errorOf } from '../core/text.js';
import { formatHumanLine, formatJsonLine, prepareEvent } from './format.js';
import { createRotatingFile } from './rotating-file.js';
import { DEFAULT_ROTATION } from './rotation.js';
import type { AuditEvent, AuditLog } from './types.js';

const HUMAN_LOG_FILE = 'mcp_actions.log';
export const JSON_LOG_FILE = 'mcp_actions.jsonl';

interface AuditLogOptions {
  readonly logsDir: string;
  readonly logging: LoggingConfig;
  readonly clock: Clock;
  /** A write failure (disk full, permissions). Logging must never take the daemon down. */
  readonly onError?: (error: Error) => void;
}

/**
 * Lines are collected this long into one append per file (a step's events and the next step's), except
 * after what ends a plan's work or needs attention, which goes out at once. Measured: 2 appends per file
 * per step with a setImmediate batch, about one per three steps with this window (docs/PERFORMANCE.md).
 */
const WINDOW_MS = 5;
const PROMPT = new Set<string>(['DONE', 'FAILED', 'REVIEW', 'DEFERRED', 'AUDIT', 'ALERT']);

// Each transport prints its own precomputed line, so formatting happens once, in pure code.
const HUMAN = 'auditHuman';
const JSON_LINE = 'auditJson';

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const now = (): Date => options.clock.now();
  const onError =
    options.onError ??
    ((error: Error) => process.stderr.write(`audit log: cannot write to ${options.logsDir}: ${error.message}\n`));
  mkdirSync(options.logsDir, { recursive: true });

  const rotation = { policy: options.logging.rotate ?? DEFAULT_ROTATION, now, onError, windowMs: WINDOW_MS };
  const human = createRotatingFile(path.join(options.logsDir, HUMAN_LOG_FILE), rotation);
  const json = createRotatingFile(path.join(options.logsDir, JSON_LOG_FILE), rotation);
  const transports = [
    new winston.transports.Stream({ stream: human.stream, eol: '\n', format: winston.format.printf((i) => String(i[HUMAN])) }),
    new winston.transports.Stream({ stream: json.stream, eol: '\n', format: winston.format.printf((i) => String(i[JSON_LINE])) }),
  ];
  const logger = winston.createLogger({ level: 'info', exitOnError: false, transports });
  logger.on('error', (error: unknown) => onError(errorOf(error)));
  const handedOver = transports.map((t) => new Promise<void>((resolve) => t.once('finish', () => resolve())));

  let closing: Promise<void> | undefined;
  return {
    record(event: AuditEvent): void {
      if (closing) return;
      try {
        const at = now();
        const prepared = prepareEvent(event, options.logging);
        logger.log({
          level: 'info',
          message: '',
          [HUMAN]: formatHumanLine(prepared, at),
          [JSON_LINE]: formatJsonLine(prepared, at),
        });
        if (PROMPT.has(event.event)) {
          human.flushSoon();
          json.flushSoon();
        }
      } catch (error) {
        // A value that cannot be formatted (a throwing toJSON…) costs one event, not the daemon.
        onError(errorOf(error));
      }
    },
    close(): Promise<void> {
      closing ??= (async () => {
        logger.end();
        await Promise.all(handedOver); // every line is now queued in its file stream
        await Promise.all([human.end(), json.end()]);
      })();
      return closing;
    },
  };
}
