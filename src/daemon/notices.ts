/**
 * The daemon's "said once" notices about files (a file that cannot be claimed, a copy left where it is):
 * one notice per trouble while it lasts, not one per scan. Each is kept under the file it is about and
 * goes when that file leaves its folder, so the same trouble coming back later is told again and what is
 * kept is bounded by the files in the folder now, not by every file the daemon ever saw.
 */
export class FileNotices {
  /** File name → the notices given about it while it has stayed. */
  private readonly given = new Map<string, Set<string>>();

  /** True the first time `message` is given about `file` since the file (last) appeared. */
  first(file: string, message: string): boolean {
    const messages = this.given.get(file) ?? new Set<string>();
    if (messages.has(message)) return false;
    messages.add(message);
    this.given.set(file, messages);
    return true;
  }

  /** Forgets what was said about the files no longer there (a scan of the folder tells which are). */
  keepOnly(present: ReadonlySet<string>): void {
    for (const file of this.given.keys()) if (!present.has(file)) this.given.delete(file);
  }

  /** How many notices are kept. */
  get size(): number {
    let count = 0;
    for (const messages of this.given.values()) count += messages.size;
    return count;
  }
}
