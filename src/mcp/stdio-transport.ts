/**
 * The client side of a stdio server, started in a process group of its own. Why not the SDK's
 * StdioClientTransport: it spawns the server in the daemon's process group and offers no spawn options,
 * so Ctrl-C in a terminal (SIGINT to the whole foreground group) reached every server and cut the send
 * in flight. In its own group the server hears only us: the daemon finishes the calls in flight, then
 * closes stdin. Closing signals the whole group, so the children of a server started through `npx` or a
 * shell script stop with it and none is left running. The framing is the SDK's own (ReadBuffer,
 * serializeMessage).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioParams {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

/** Waits between the polite and the firm ways of stopping a server that does not exit. */
const STOP_STEP_MS = 2_000;

export class GroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** The server's stderr, available before start so nothing it writes early is lost. */
  readonly stderr = new PassThrough();
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
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
        this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.buffer.append(chunk); // throws past the SDK's frame limit (10 MB): the connection is dropped
          this.drain();
        } catch (error) {
          this.onerror?.(error instanceof Error ? error : new Error(String(error)));
          void this.close().catch(() => undefined);
        }
      });
      child.stderr?.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin) return Promise.reject(new Error('Not connected'));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', () => resolve());
    });
  }

  /** Closes stdin (a server exits at end of input), then SIGTERM, then SIGKILL to its whole group. */
  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.buffer.clear();
    if (!child) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('close', () => resolve());
    });
    child.stdin?.end();
    for (const signal of [undefined, 'SIGTERM', 'SIGKILL'] as const) {
      if (signal) this.signal(child, signal);
      const done = await Promise.race([exited.then(() => true), delay(STOP_STEP_MS).then(() => false)]);
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

  private drain(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
