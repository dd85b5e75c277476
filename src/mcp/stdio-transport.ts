/**
 * The client side of a stdio server, started in a process group of its own. Why not the SDK's
 * StdioClientTransport: it spawns the server in the daemon's process group and offers no spawn options,
 * so Ctrl-C in a terminal (SIGINT to the whole foreground group) reached every server and cut the send
 * in flight. In its own group the server hears only us: the daemon finishes the calls in flight, then
 * closes stdin. Closing signals the whole group, so the children of a server started through `npx` or a
 * shell script stop with it and none is left running. The framing is the SDK's (serializeMessage; the
 * reading side in server-output.ts leaves out notifications nobody listens to). While no request of ours
 * is waiting for an answer, the server's output is parsed in batches, every IDLE_BATCH_MS; a request
 * sent or an answer awaited parses at once, so no call waits for the batch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ServerOutput } from './server-output.js';

interface StdioParams {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

/** Waits between the polite and the firm ways of stopping a server that does not exit. */
const STOP_STEP_MS = 2_000;
/** How long output waits to be read while no request is waiting for an answer. */
const IDLE_BATCH_MS = 100;

export class GroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** The server's stderr, available before start so nothing it writes early is lost. */
  readonly stderr = new PassThrough();
  private child: ChildProcess | undefined;
  private readonly buffer = new ServerOutput();
  /** Ids of our requests still waiting for their response: while there are none, output is batched. */
  private readonly waiting = new Set<string | number>();
  private batchTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  // A process group is a POSIX notion; on Windows the child is simply not attached to our console.
  private readonly ownGroup = process.platform !== 'win32';

  constructor(private readonly params: StdioParams) {}

  start(): Promise<void> {
    if (this.child) throw new Error('GroupStdioTransport already started');
    return new Promise((resolve, reject) => {
      // No shell: command and args go to spawn as an argument vector, never interpolated.
      const child = spawn(this.params.command, [...this.params.args], {
        env: this.params.env,
        cwd: this.params.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        detached: this.ownGroup,
        windowsHide: true,
      });
      this.child = child;
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('close', () => {
        this.drain(); // its last words, batched or not, come before the close
        // It exited on its own (not by our close, which stops its group itself): what it left behind goes too.
        if (this.child === child) this.signal(child, 'SIGKILL');
        this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (!this.append(chunk)) return;
        if (this.waiting.size > 0) this.drain();
        else this.batchTimer ??= setTimeout(() => this.drain(), IDLE_BATCH_MS);
      });
      child.stderr?.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin) return Promise.reject(new Error('Not connected'));
    if ('method' in message && 'id' in message) {
      this.waiting.add(message.id);
      this.drain(); // what the server said meanwhile comes first, as it would have unbatched
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      // A request we gave up on gets no answer: it no longer keeps the output unbatched.
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === 'string' || typeof id === 'number') this.waiting.delete(id);
    }
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', () => resolve());
    });
  }

  /**
   * Closes stdin (a server exits at end of input), then SIGTERM, then SIGKILL to its whole group. Every
   * caller waits for the same stop: the SDK closes a client whose initialize failed without awaiting it,
   * and our own close that follows must not return while the server still runs.
   */
  close(): Promise<void> {
    if (!this.closing && !this.child) return Promise.resolve();
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.buffer.clear();
    this.waiting.clear();
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (!child) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('close', () => resolve());
    });
    child.stdin?.end();
    for (const signal of [undefined, 'SIGTERM', 'SIGKILL'] as const) {
      if (signal) this.signal(child, signal);
      const done = await Promise.race([exited.then(() => true), delay(STOP_STEP_MS, false, { ref: false })]);
      if (done) break;
    }
    // Whatever the server started and left behind goes with it.
    this.signal(child, 'SIGKILL');
  }

  private signal(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      if (this.ownGroup && child.pid !== undefined) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Keeps a chunk of output; false when it broke the SDK's frame limit (10 MB) and the connection is dropped. */
  private append(chunk: Buffer): boolean {
    try {
      this.buffer.append(chunk);
      return true;
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      void this.close().catch(() => undefined);
      return false;
    }
  }

  private drain(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    for (const message of this.buffer.take()) {
      if (message instanceof Error) {
        this.onerror?.(message);
        continue;
      }
      if ('id' in message && !('method' in message) && message.id !== undefined) this.waiting.delete(message.id);
      this.onmessage?.(message);
    }
  }
}
