/** Where commands print: injected so tests can capture output without spawning a process. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/**
 * The process's stdout and stderr. A reader that goes away early (`servers | head -1`) closes the
 * pipe: the next write fails with EPIPE, emitted as an 'error' event that, unheard, would crash the
 * process with a stack trace. Output to a closed pipe has no reader left, so it is dropped quietly and
 * the command ends with the exit code it would have had.
 */
export function createProcessIo(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Io {
  return { out: quietWriter(stdout), err: quietWriter(stderr) };
}

function quietWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    // Any other write failure (a full disk behind a redirect) is a real problem: say it once, on the other stream.
    closed = true;
    if (stream !== process.stderr) process.stderr.write(`error: cannot write output: ${error.message}\n`);
  });
  return (line) => {
    if (closed || stream.destroyed) return;
    stream.write(`${line}\n`);
  };
}

/** Exit codes of every command (SPEC §3). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
