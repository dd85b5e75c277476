/**
 * Streams `mcp_actions.jsonl` — and the rotated files that can hold lines inside the window — line by
 * line into a StatsAccumulator: never the whole file in memory.
 *
 * Which files: rotated files (`mcp_actions.<closed-at>.jsonl`, rotation.ts) hold only lines written
 * before the moment in their name, so with `--since T` those closed before T are skipped unread; without
 * `--since`, every retained rotated file is read. Oldest first, the live file last.
 */
import { isMissing, unlessMissing } from '../core/errno.js';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { JSON_LOG_FILE } from '../audit/logger.js';
import { rotatedFilesOf } from '../audit/rotation.js';
import { StatsAccumulator, type AggregateOptions } from './aggregate.js';
import type { LogStats } from './types.js';

/** The log files that may hold lines at or after `sinceMs`, oldest first; only existing ones. */
export async function logFilesToRead(logsDir: string, sinceMs?: number): Promise<string[]> {
  const names: string[] = await unlessMissing(readdir(logsDir), []);
  const rotated = rotatedFilesOf(JSON_LOG_FILE, names)
    .filter((file) => sinceMs === undefined || file.closedAtMs >= sinceMs)
    .map((file) => path.join(logsDir, file.name));
  return names.includes(JSON_LOG_FILE) ? [...rotated, path.join(logsDir, JSON_LOG_FILE)] : rotated;
}

export async function readLogStats(
  logsDir: string,
  options: AggregateOptions = {},
): Promise<LogStats & { readonly files: readonly string[] }> {
  const files = await logFilesToRead(logsDir, options.sinceMs);
  const accumulator = new StatsAccumulator(options);
  for (const file of files) await streamLines(file, (line) => accumulator.addLine(line));
  return { ...accumulator.result(), files };
}

/** No audit line comes near this; a longer run without a newline is garbage and is not kept in memory. */
const MAX_LINE_CHARS = 8 * 1024 * 1024;
/** Stands for a line too long to keep: fails JSON.parse, so it is counted as garbled. */
const OVERSIZED = '\u0000oversized line';

/**
 * Calls `onLine` for every line of `file` (`\n` or `\r\n`); a file rotated away meanwhile counts as empty.
 *
 * Hand-rolled rather than node:readline: on a 1,000,000-line log readline alone took 1.7–3.3 s of the
 * 5 s budget, this loop 0.7 s. Chunks are decoded with a StringDecoder, so a multi-byte character split
 * across two chunks stays whole.
 */
async function streamLines(file: string, onLine: (line: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let discarding = false;
  const emit = (line: string): void => {
    if (discarding) {
      discarding = false; // the tail of an oversized line, already counted
      return;
    }
    onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  };
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
        emit(text.slice(start, newline));
        start = newline + 1;
      }
      rest = text.slice(start);
      if (rest.length > MAX_LINE_CHARS) {
        if (!discarding) onLine(OVERSIZED);
        discarding = true;
        rest = '';
      }
    }
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  rest += decoder.end();
  if (rest !== '') emit(rest);
}
