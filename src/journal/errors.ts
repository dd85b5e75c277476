/**
 * The journal could not be made durable (a write or fsync failed). Permanent: every pending and later
 * append rejects with it. The daemon must stop; a restart recovers from what is on disk.
 */
export class JournalFatalError extends Error {
  override readonly name = 'JournalFatalError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Journal ${path} cannot be written durably (${code ?? 'I/O error'}); the daemon must stop. ` +
        'Free disk space or fix the disk, then restart: recovery resumes from the journal.',
      options,
    );
  }
}
