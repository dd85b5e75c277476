/**
 * Reading the servers' durable JSON-lines ledgers. A line that does not parse or fit the schema is
 * skipped: only a crash mid-append produces one, and the entry it would have held was never confirmed.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

export async function readJsonLines<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: T[] = [];
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) entries.push(parsed.data);
  }
  return entries;
}
