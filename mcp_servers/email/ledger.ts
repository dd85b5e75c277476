/**
 * The idempotency ledger: one JSON line per successful send, appended and fsynced, so a key seen once is
 * never sent again, across restarts. A torn last line (crash mid-append) is skipped, not fatal.
 */
import path from 'node:path';
import { z } from 'zod';
import { appendLineDurable } from '../shared/atomic-file.js';
import { readJsonLines } from '../shared/jsonl.js';

export const LEDGER_FILE = 'email-ledger.jsonl';

const entrySchema = z.object({
  key: z.string(),
  message_id: z.string(),
  delivered_via: z.enum(['smtp', 'file']),
  path: z.string().optional(),
  sent_at: z.string(),
});
export type LedgerEntry = z.infer<typeof entrySchema>;

export interface Ledger {
  find(key: string): Promise<LedgerEntry | undefined>;
  record(entry: LedgerEntry): Promise<void>;
}

export function fileLedger(stateDir: string): Ledger {
  const file = path.join(stateDir, LEDGER_FILE);
  return {
    async find(key) {
      return (await readJsonLines(file, entrySchema)).find((entry) => entry.key === key);
    },
    async record(entry) {
      await appendLineDurable(file, JSON.stringify(entry));
    },
  };
}
