/**
 * The pool reports failures with the phase they happened in; the executor's classifier turns them into
 * typed step errors. Whether the request had left this process is what decides if its outcome is known.
 */
type CallPhase =
  /** Connecting or listing tools: the tool call itself was never sent. */
  | 'connect'
  /** After `tools/call` was handed to the transport. */
  | 'call';

export class McpCallError extends Error {
  override readonly name = 'McpCallError';
  constructor(
    readonly server: string,
    readonly phase: CallPhase,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}
