/**
 * A stdio server's output, newline-framed JSON-RPC as the SDK's ReadBuffer reads it, with one
 * difference: a notification the daemon's client has no use for (logging messages, resource and list
 * change notices: no handler is registered for them, the SDK would drop them after validating) is left
 * out before the SDK's schema validation, which is most of what a message costs. A server flooding its
 * log therefore costs a JSON.parse per line, not a zod union parse and a dispatch.
 */
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The SDK's own frame limit (STDIO_DEFAULT_MAX_BUFFER_SIZE): past it the connection is dropped. */
const MAX_BUFFERED = 10 * 1024 * 1024;
/** Notifications the SDK client acts on: the progress of our requests and their cancellation. */
const NEEDED = new Set(['notifications/progress', 'notifications/cancelled']);
/** Only a line holding this can be a notification worth a look before validation. */
const HINT = Buffer.from('"notifications/');

export class ServerOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Notifications left out so far. */
  dropped = 0;

  /** Keeps `chunk`; throws past the frame limit (the caller drops the connection). */
  append(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_BUFFERED) {
      this.clear();
      throw new Error(`ReadBuffer exceeded maximum size of ${MAX_BUFFERED} bytes`);
    }
    this.chunks.push(chunk);
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  /** Every complete line so far, in order: a message, or the Error of a line that is not one. */
  *take(): Generator<JSONRPCMessage | Error> {
    if (this.chunks.length === 0) return;
    const buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    let start = 0;
    for (let end = buffer.indexOf(0x0a, start); end !== -1; end = buffer.indexOf(0x0a, start)) {
      const line = buffer.subarray(start, end);
      start = end + 1;
      const message = this.read(line);
      if (message !== undefined) yield message;
    }
    const rest = buffer.subarray(start);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
  }

  private read(line: Buffer): JSONRPCMessage | Error | undefined {
    try {
      const parsed: unknown = JSON.parse(line.toString('utf8').replace(/\r$/, ''));
      if (line.includes(HINT) && unneeded(parsed)) {
        this.dropped += 1;
        return undefined;
      }
      return JSONRPCMessageSchema.parse(parsed);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

function unneeded(parsed: unknown): boolean {
  if (typeof parsed !== 'object' || parsed === null || 'id' in parsed) return false;
  const method = (parsed as { method?: unknown }).method;
  return typeof method === 'string' && method.startsWith('notifications/') && !NEEDED.has(method);
}
