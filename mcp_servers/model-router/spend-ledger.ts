/**
 * The durable record of model spend: one fsynced JSON line per completed request. Today's total
 * (UTC day) is what MCP_DAILY_LIMIT is checked against, across restarts.
 */
import path from 'node:path';
import { z } from 'zod';
import { appendLineDurable } from '../shared/atomic-file.js';
import { readJsonLines } from '../shared/jsonl.js';

const SpendEntrySchema = z.object({
  at: z.string(),
  model: z.string(),
  model_id: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
});
export type SpendEntry = z.infer<typeof SpendEntrySchema>;

export function spendLedgerFile(stateDir: string): string {
  return path.join(stateDir, 'model-spend.jsonl');
}

/** The UTC day of a time, "2026-02-16". */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export async function readSpend(file: string): Promise<SpendEntry[]> {
  return readJsonLines(file, SpendEntrySchema);
}

export function spentOn(entries: readonly SpendEntry[], day: string): number {
  return entries.filter((entry) => entry.at.startsWith(day)).reduce((sum, entry) => sum + entry.cost_usd, 0);
}

export async function recordSpend(file: string, entry: SpendEntry): Promise<void> {
  await appendLineDurable(file, JSON.stringify(entry));
}
