/**
 * The plan file as the run layer sees it: read once, then rewritten atomically as steps finish.
 * Updates are applied to the latest text in order, so parallel steps never lose each other's ticks.
 */
import { readFile, stat } from 'node:fs/promises';
import { applyPlanUpdate, type PlanFileUpdate } from '../plan/render.js';
import { writeFileAtomic } from '../vault/write-file-atomic.js';

export interface PlanFileStore {
  /** Size in bytes, so a huge file is refused before it is read. */
  size(): Promise<number>;
  read(): Promise<Uint8Array>;
  write(text: string): Promise<void>;
}

export function diskPlanFile(file: string): PlanFileStore {
  return {
    size: async () => (await stat(file)).size,
    read: () => readFile(file),
    write: (text) => writeFileAtomic(file, text),
  };
}

/**
 * Keeps one plan file up to date. An update changes the text in memory at once; the file follows in the
 * background, one atomic rewrite at a time, updates made meanwhile merged into the next rewrite. The
 * journal, not this file, is what recovery trusts, so steps need not wait for it: the returned promise
 * is for callers that must (the final status).
 */
export class PlanFileWriter {
  /** The text the plan was parsed from: step line numbers count lines of it. */
  private readonly parsedText: string;
  /** What is on disk. */
  private written: string;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: PlanFileStore,
    private text: string,
  ) {
    this.parsedText = text;
    this.written = text;
  }

  get current(): string {
    return this.text;
  }

  /** Applies `update` now; resolves once the file holds it (or a later text that includes it). */
  update(update: PlanFileUpdate): Promise<void> {
    this.text = applyPlanUpdate(this.text, update, this.parsedText);
    return this.flush();
  }

  private flush(): Promise<void> {
    this.flushing ??= this.writeUntilCurrent().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeUntilCurrent(): Promise<void> {
    while (this.written !== this.text) {
      const text = this.text;
      await this.store.write(text);
      this.written = text;
    }
  }
}
