/**
 * An append that will never be durable: the journal was closed while it could not be written (at
 * shutdown, with the disk full). The call it announced was never sent.
 */
export class JournalFatalError extends Error {
  override readonly name = 'JournalFatalError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Journal ${path} could not be written (${code ?? 'I/O error'}) before it was closed; the call it announced was not sent.`, options);
  }
}
