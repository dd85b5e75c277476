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

/** Serialises updates of one plan file over its current text. */
export class PlanFileWriter {
  private chain: Promise<void> = Promise.resolve();

  /** The text the plan was parsed from: step line numbers count lines of it. */
  private readonly parsedText: string;

  constructor(
    private readonly store: PlanFileStore,
    private text: string,
  ) {
    this.parsedText = text;
  }

  get current(): string {
    return this.text;
  }

  update(update: PlanFileUpdate): Promise<void> {
    const next = this.chain.then(async () => {
      const text = applyPlanUpdate(this.text, update, this.parsedText);
      if (text === this.text) return;
      await this.store.write(text);
      this.text = text;
    });
    // A failed write must reach its caller, but not poison later updates.
    this.chain = next.catch(() => undefined);
    return next;
  }
}
