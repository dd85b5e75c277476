import { join } from 'node:path';
import { ORCHESTRATOR_DIR } from '../vault/vault-lock.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** `<vault>/.orchestrator/journal.jsonl`: beside the daemon lock, out of the watcher's and Obsidian's sight. */
export function journalPath(vault: string): string {
  return join(vault, ORCHESTRATOR_DIR, JOURNAL_FILE);
}
