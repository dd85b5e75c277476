/**
 * A Writable that hands what was written, in order and in batches, to one async function at a time.
 * Writes are taken at once and collected until the event loop's check phase (setImmediate): the events
 * of one step recorded in the same turn, and everything that piles up while the previous batch is being
 * written, cost one file append, not one each. `end()` (the daemon's shutdown, SIGTERM included) writes
 * whatever is still collected before it resolves, so nothing recorded is lost by ending.
 *
 * A failing batch is reported and dropped; the stream stays open, so a full disk costs the lines
 * written while it was full, never the daemon. Failures are reported once until a batch succeeds again.
 */
import { Writable } from 'node:stream';

export interface BatchWritable {
  readonly stream: Writable;
  /** Ends the stream; resolves once every batch has been handled. */
  end(): Promise<void>;
}

export interface BatchWritableOptions {
  /** `false` (what winston's Stream transport needs to write plain lines) delivers Buffers: T must be Buffer. */
  readonly objectMode?: boolean;
  /** Runs once after the last batch, before `end()` resolves (closing a kept file descriptor). */
  readonly final?: () => Promise<void>;
}

export function batchWritable<T>(
  writeBatch: (items: T[]) => Promise<void>,
  onError: (error: Error) => void,
  options: BatchWritableOptions = {},
): BatchWritable {
  let failing = false;
  let collected: T[] = [];
  let writing: Promise<void> | undefined;
  let scheduled = false;

  const drain = async (): Promise<void> => {
    while (collected.length > 0) {
      const items = collected;
      collected = [];
      try {
        await writeBatch(items);
        failing = false;
      } catch (error) {
        if (!failing) onError(error instanceof Error ? error : new Error(String(error)));
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
  const collect = (items: T[]): void => {
    for (const item of items) collected.push(item);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      // A batch under way picks up what was collected meanwhile in its next round.
      void flush();
    });
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
    end() {
      if (!stream.writableEnded) stream.end();
      return closed;
    },
  };
}
