/**
 * The journal as the daemon hears it: the stream's first awaited subscriber (journal/subscriber.ts),
 * plus what follows each durable record here — the approval book learns it, a test's crash point may
 * fire (crash-points.ts), and about every `journalMaxBytes` written the journal is compacted to what
 * must be kept (the plans still held, and finished ones within `journalRetention`).
 */
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import type { Subscriber } from '../events/event-stream.js';
import type { JournalStore } from '../journal/store.js';
import { journalSubscriber } from '../journal/subscriber.js';
import type { ApprovalBook } from './approvals.js';
import { crashPointOf, type CrashHook } from './crash-points.js';

interface JournalSinkOptions {
  readonly config: Config;
  readonly store: JournalStore;
  readonly book: ApprovalBook;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly crash: CrashHook;
  /** The approvals held now (the runner's); undefined until the runner exists. */
  readonly active: () => ReadonlySet<string> | undefined;
}

export function journalSink(options: JournalSinkOptions): Subscriber {
  const { config, store, book, audit, clock, crash } = options;
  let written = 0;
  return journalSubscriber(store, (record) => {
    book.apply(record);
    const point = crashPointOf(record);
    if (point) crash(point);
    written += JSON.stringify(record).length + 1;
    const active = options.active();
    if (written <= config.daemon.journalMaxBytes || active === undefined) return;
    written = 0;
    const keep = book.prune(active, clock.now().getTime(), config.daemon.journalRetention);
    void store.compact(keep).catch((error: unknown) => audit.record({ event: 'ALERT', message: `journal compaction failed, tried again later: ${messageOf(error)}` }));
  });
}
