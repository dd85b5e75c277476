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

/**
 * A record refused because this node no longer holds the plan's lease (SPEC §12): it was paused, cut
 * off or too slow to renew, and another node may own the plan now. Nothing was written; the call the
 * record announced is not sent, and the node lets the plan go without touching its file.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly claim: string,
    readonly reason: string,
  ) {
    super(`this node no longer holds the lease of approval ${claim} (${reason}); nothing was recorded or sent, the plan is another node's now`);
  }
}

/** The cluster database could not be opened at start: named by host, port and database, never by its URL. */
export class ClusterDatabaseError extends Error {
  override readonly name = 'ClusterDatabaseError';
  constructor(where: string, cause: unknown) {
    // Connecting to `localhost` tries every address: the first refusal says it.
    const first = cause instanceof AggregateError && cause.errors.length > 0 ? (cause.errors[0] as unknown) : cause;
    super(`cannot open the cluster database at ${where} (${reasonOf(first)}); check cluster.postgres and that PostgreSQL runs there`, { cause });
  }
}

/**
 * A socket error by its code (ECONNREFUSED); the server's own answer by its words, which never hold the
 * password (a bare SQLSTATE such as 28P01 or 42P01 tells a user nothing).
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as NodeJS.ErrnoException;
  if ('severity' in error) return code === '42P01' ? `no node has started on this database yet: ${error.message}` : error.message;
  return code ?? error.message;
}
