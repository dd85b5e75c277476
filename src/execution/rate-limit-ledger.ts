/**
 * The durable record of when rate-limited calls were sent, so a limit ("10 e-mails per hour") holds
 * across a restart. One JSON line per call, `{"a":"send_email","t":1760000000000}`, appended and
 * fsynced before the call leaves; compacted to the longest window at open and every so often.
 *
 * Its own small file rather than the journal: the journal is compacted to the live claims at every
 * start, which drops the calls of finished plans, exactly the ones a limit must still count.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { unlessMissing } from '../core/errno.js';
import { z } from 'zod';
import { writeFileAtomic } from '../vault/write-file-atomic.js';
import { inWindow, type RateRule, type RateRules } from './rate-limit.js';

const EntrySchema = z.object({ a: z.string(), t: z.number() });

/** Rewrite the file after this many appends, so it stays about the size of the windows. */
const COMPACT_EVERY = 10_000;

export interface Reservation {
  /** Makes the reservation durable; resolves once on disk. Call right before sending. */
  commit(): Promise<void>;
  /** The call will not be sent after all: give the slots back. */
  cancel(): void;
}

export class RateLedger {
  private readonly times = new Map<string, number[]>();
  private writing: Promise<void> = Promise.resolve();
  private appended = 0;

  private constructor(
    private readonly rules: ReadonlyMap<string, RateRule>,
    private readonly file?: string,
    private handle?: FileHandle,
  ) {}

  /** A ledger kept in memory only (one-off runs, tests). */
  static inMemory(rules: RateRules): RateLedger {
    return new RateLedger(byAction(rules));
  }

  /** Reads and compacts `file` (created if missing), then opens it for appending. */
  static async open(file: string, rules: RateRules, nowMs: number): Promise<RateLedger> {
    const ledger = new RateLedger(byAction(rules), file);
    const text = await unlessMissing(readFile(file, 'utf8'), '');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // a torn last line from a crash mid-append: that call was not sent yet
      }
      const entry = EntrySchema.safeParse(parsed);
      if (entry.success) ledger.add(entry.data.a, entry.data.t);
    }
    ledger.prune(nowMs);
    await mkdir(dirname(file), { recursive: true });
    await ledger.rewrite();
    return ledger;
  }

  /** Send times of `action` still inside its window. */
  timesOf(action: string, nowMs: number): readonly number[] {
    const rule = this.rules.get(action);
    const list = this.times.get(action) ?? [];
    return rule ? inWindow(list, rule.perMs, nowMs) : list;
  }

  /** Counts one call of each action at `at`, in memory at once (synchronously: no two callers can take the same slot). */
  reserve(actions: readonly string[], at: number): Reservation {
    for (const action of actions) this.add(action, at);
    let settled = false;
    return {
      commit: async () => {
        if (settled || !this.file || actions.length === 0) return;
        settled = true;
        const lines = actions.map((a) => `${JSON.stringify({ a, t: at })}\n`).join('');
        try {
          await this.enqueue(async (handle) => {
            await handle.appendFile(lines);
            await handle.datasync();
            this.appended += actions.length;
          });
        } catch (error) {
          for (const action of actions) this.remove(action, at);
          throw new Error(`cannot record a rate-limited call in ${this.file}: ${(error as Error).message}; check the disk`);
        }
        if (this.appended >= COMPACT_EVERY) {
          this.prune(at);
          await this.enqueue(() => this.rewrite()).catch(() => undefined);
        }
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        for (const action of actions) this.remove(action, at);
      },
    };
  }

  async close(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  private add(action: string, at: number): void {
    const list = this.times.get(action) ?? [];
    list.push(at);
    this.times.set(action, list);
  }

  private remove(action: string, at: number): void {
    const list = this.times.get(action);
    const index = list?.indexOf(at) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }

  private prune(nowMs: number): void {
    for (const [action, list] of this.times) {
      const rule = this.rules.get(action);
      if (!rule) this.times.delete(action);
      else this.times.set(action, inWindow(list, rule.perMs, nowMs));
    }
  }

  /** Writes are serialized: an append never interleaves with a compaction. */
  private enqueue(task: (handle: FileHandle) => Promise<void>): Promise<void> {
    const run = this.writing.then(async () => {
      if (!this.handle) throw new Error('the rate-limit ledger is closed');
      await task(this.handle);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async rewrite(): Promise<void> {
    if (!this.file) return;
    const lines = [...this.times].flatMap(([a, list]) => list.map((t) => `${JSON.stringify({ a, t })}\n`));
    const old = this.handle;
    this.handle = undefined;
    await old?.close();
    try {
      await writeFileAtomic(this.file, lines.join(''), 0o600);
      this.appended = 0;
    } finally {
      // Whether or not the rewrite worked, later sends must be recordable: never keep a closed handle.
      this.handle = await open(this.file, 'a', 0o600);
    }
  }
}

function byAction(rules: RateRules): Map<string, RateRule> {
  const map = new Map<string, RateRule>();
  for (const list of rules.values()) for (const rule of list) map.set(rule.action, rule);
  return map;
}
