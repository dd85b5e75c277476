/**
 * A Writable that hands what was written, in order and in batches, to one async function
 * at a time. Node's Writable does the queueing: `writev` receives everything that piled up while the
 * previous batch was being written, so a burst of events costs one file append, not one per event.
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

/**
 * `objectMode: false` (what winston's Stream transport needs to write plain lines) delivers each chunk
 * as a Buffer, so T must then be Buffer.
 */
export function batchWritable<T>(
  writeBatch: (items: T[]) => Promise<void>,
  onError: (error: Error) => void,
  options: { readonly objectMode: boolean } = { objectMode: true },
): BatchWritable {
  let failing = false;
  const run = (items: T[], callback: (error?: Error | null) => void): void => {
    writeBatch(items).then(
      () => {
        failing = false;
        callback();
      },
      (error: unknown) => {
        if (!failing) onError(error instanceof Error ? error : new Error(String(error)));
        failing = true;
        callback();
      },
    );
  };
  const stream = new Writable({
    objectMode: options.objectMode,
    write(chunk: T, _encoding, callback) {
      run([chunk], callback);
    },
    writev(chunks, callback) {
      run(
        chunks.map((c) => c.chunk as T),
        callback,
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
