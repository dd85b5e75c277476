/**
 * A Writable that hands what was written, in order and in batches, to one async function at a time.
 * Writes are taken at once and collected for `windowMs` (or until the event loop's check phase,
 * setImmediate, when 0): the events of a step and of the next ones, and everything that piles up while
 * the previous batch is being written, cost one file append, not one each. `flushSoon()` cuts the window
 * short (a plan's end, an alert: what a reader waits for). `end()` (the daemon's shutdown, SIGTERM
 * included) writes whatever is still collected before it resolves, so nothing recorded is lost by ending.
 *
 * A failing batch is reported and dropped; the stream stays open, so a full disk costs the lines
 * written while it was full, never the daemon. Failures are reported once until a batch succeeds again.
 */
import { Writable } from 'node:stream';
import { errorOf } from '../core/text.js';

export interface BatchWritable {
  readonly stream: Writable;
  /** Writes what is collected (and what arrives in this turn) without waiting out the window. */
  flushSoon(): void;
  /** Ends the stream; resolves once every batch has been handled. */
  end(): Promise<void>;
}

interface BatchWritableOptions<T> {
  /** `false` (what winston's Stream transport needs to write plain lines) delivers Buffers: T must be Buffer. */
  readonly objectMode?: boolean;
  /** Runs once after the last batch, before `end()` resolves (closing a kept file descriptor). */
  readonly final?: () => Promise<void>;
  /** How long writes are collected before a batch goes out; 0: until setImmediate. */
  readonly windowMs?: number;
  /**
   * Read when an item arrives; a batch never mixes items of two keys (the local day of a line: lines
   * collected across midnight go to two files, each line by its day).
   */
  readonly keyOf?: (item: T) => string;
}

export function batchWritable<T>(
  writeBatch: (items: T[], key: string | undefined) => Promise<void>,
  onError: (error: Error) => void,
  options: BatchWritableOptions<T> = {},
): BatchWritable {
  let failing = false;
  let collected: T[] = [];
  let keys: (string | undefined)[] = [];
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let promptNext = false;
  const windowMs = options.windowMs ?? 0;

  const drain = async (): Promise<void> => {
    while (collected.length > 0) {
      // The first run of items with one key; the rest stays for the next round.
      let end = 1;
      while (end < collected.length && keys[end] === keys[0]) end++;
      const items = collected.slice(0, end);
      const key = keys[0];
      collected = collected.slice(end);
      keys = keys.slice(end);
      try {
        await writeBatch(items, key);
        failing = false;
      } catch (error) {
        if (!failing) onError(errorOf(error));
        failing = true;
      }
    }
  };
  /** Resolves once everything collected so far is handled. */
  const flush = (): Promise<void> => {
    writing ??= drain().finally(() => {
      writing = undefined;
    });
    return writing;
  };
  const fire = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    immediate = undefined;
    // A batch under way picks up what was collected meanwhile in its next round.
    void flush();
  };
  const schedule = (prompt: boolean): void => {
    if (immediate) return;
    if (prompt || windowMs === 0) immediate = setImmediate(fire);
    else timer ??= setTimeout(fire, windowMs);
  };
  const collect = (items: T[]): void => {
    for (const item of items) {
      collected.push(item);
      keys.push(options.keyOf?.(item));
    }
    schedule(promptNext);
    promptNext = false;
  };

  const stream = new Writable({
    objectMode: options.objectMode ?? true,
    write(chunk: T, _encoding, callback) {
      collect([chunk]);
      callback();
    },
    writev(chunks, callback) {
      collect(chunks.map((c) => c.chunk as T));
      callback();
    },
    final(callback) {
      const finish = async (): Promise<void> => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        while (collected.length > 0 || writing) await flush();
        await options.final?.();
      };
      finish().then(
        () => callback(),
        () => callback(),
      );
    },
  });
  const closed = new Promise<void>((resolve) => {
    stream.once('close', () => resolve());
  });
  return {
    stream,
    flushSoon() {
      // The line may still be on its way through winston's pipes: then its arrival schedules at once.
      if (collected.length > 0) schedule(true);
      else promptNext = true;
    },
    end() {
      if (!stream.writableEnded) stream.end();
      return closed;
    },
  };
}
