/**
 * The stdio transport of `serve`: newline-delimited JSON-RPC on stdin/stdout, as the SDK's
 * StdioServerTransport, with two differences that are why it is written here. A message larger than
 * MAX_MESSAGE_BYTES is skipped to its end and answered with an error (oversize.ts), where the SDK's
 * closes the session; and lines are gathered in a list of chunks, where the SDK's re-concatenates its
 * whole buffer on every chunk (quadratic: seconds of copying for a message of a few tens of MB). The end
 * of stdin (the client went away) closes the transport, so `serve` exits with its client.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MessageBytes } from './oversize.js';

export class BoundedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  /** Called for each message refused as too large (to audit it). */
  onoversize?: (size: number, tool: string | undefined) => void;
  private readonly line = new MessageBytes();
  private closed = false;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
    this.stdin.on('end', this.onEnd);
  }

  /** Written at once; when stdout is full, every send waits for the same one 'drain'. */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.stdout.write(serializeMessage(message))) return this.draining ?? Promise.resolve();
    this.draining ??= new Promise<void>((resolve) =>
      this.stdout.once('drain', () => {
        this.draining = undefined;
        resolve();
      }),
    );
    return this.draining;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    this.stdin.off('end', this.onEnd);
    this.line.take();
    this.onclose?.();
  }

  private readonly onError = (error: Error): void => this.onerror?.(error);
  private readonly onEnd = (): void => void this.close();

  private readonly onData = (data: Buffer | string): void => {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10)) {
      this.line.add(chunk.subarray(0, newline));
      this.endOfLine();
      chunk = chunk.subarray(newline + 1);
    }
    if (chunk.length > 0) this.line.add(chunk);
  };

  private endOfLine(): void {
    const gathered = this.line.take();
    if ('refusal' in gathered) {
      this.onoversize?.(gathered.size, gathered.tool);
      void this.send(gathered.refusal);
      return;
    }
    const line = gathered.bytes.toString('utf8').replace(/\r$/, '');
    if (line.trim() === '') return;
    try {
      this.onmessage?.(deserializeMessage(line));
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
