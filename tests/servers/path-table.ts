/**
 * Good and bad vault paths for each way a bundled tool uses one (shared/path-rules.ts), shared by the
 * schema test (Ajv on the published patterns) and the server test (the same paths over stdio).
 */

/** Refused wherever a vault path is taken: escapes, hidden and private entries, control characters. */
export const BAD_EVERYWHERE: readonly string[] = [
  '',
  '   ',
  '/etc/passwd',
  '/',
  '\\server\\share\\x.md',
  'C:\\Windows\\pwned.md',
  'c:pwned.md',
  'Z:/x.md',
  '../outside.md',
  '..',
  'Notes/..',
  'Notes/../../outside.md',
  'Notes\\..\\..\\outside.md',
  './Notes/x.md',
  'Notes/./x.md',
  '.',
  '.mcp-state/email-ledger.jsonl',
  '.orchestrator/journal.jsonl',
  '.MCP-STATE/email-ledger.jsonl',
  'Notes/.orchestrator/x.md',
  '.obsidian/plugins/sync/data.json',
  'Notes/.hidden.md',
  'Notes//x.md',
  'Notes\\/x.md',
  ' Notes/x.md',
  'Notes/ x.md',
  'Notes/x\u0000.md',
  'Notes/x\n.md',
  'Notes/x\r.md',
  'Notes/x\t.md',
  'Notes/x\u001b[31m.md',
  'Notes/x\u007f.md',
  'Notes/x\u0085.md',
  `Notes/${'a'.repeat(1020)}.md`,
];

/** Accepted for every use (reads, folders, writes, move targets). */
export const GOOD_EVERYWHERE: readonly string[] = [
  'Notes/today.md',
  'Clients/Acme/weekly.md',
  'Notes\\windows-style.md',
  'a..b.md',
  'Notes/v1.2/release.md',
  'Notes/name with  spaces.md',
  'Notes/trailing-dot.md.',
  'plän ünïcødé 計画 🚀.md',
  'Approvedness/x.md',
  'Archive/Approved/x.md',
  'Done-list.md',
  'Notes/Dashboard.md',
  'Dashboard.md.bak',
  'C/x.md',
];

/** Readable (and usable as folders or attachments) but never written or moved: lifecycle folders, the dashboard. */
export const READ_ONLY_PATHS: readonly string[] = [
  'Approved/plan.md',
  'approved/plan.md',
  'APPROVED/plan.md',
  'In_Progress/plan.md',
  'in_progress\\plan.md',
  'Done/plan.md',
  'Failed/plan.md',
  'Needs_Review/plan.md',
  'needs_review/plan.md',
  'Dashboard.md',
  'dashboard.MD',
];

/** Spellings of a lifecycle folder or the dashboard that Windows and macOS resolve to the same entry. */
export const LIFECYCLE_LOOKALIKES: readonly string[] = ['Approved./plan.md', 'Approved /plan.md', 'Done. . /x.md', 'Dashboard.md.', 'Approved', 'done'];

/** A trailing separator: a folder, fine for list_notes and a move's target, not for a note. */
export const TRAILING_SEPARATOR: readonly string[] = ['Notes/', 'Clients\\Acme\\'];

export interface PathExpectations {
  readonly good: readonly string[];
  readonly bad: readonly string[];
}

export const EXPECTED: Record<'note' | 'folder' | 'write' | 'move-target', PathExpectations> = {
  note: { good: [...GOOD_EVERYWHERE, ...READ_ONLY_PATHS, 'Approved./plan.md'], bad: [...BAD_EVERYWHERE, ...TRAILING_SEPARATOR] },
  folder: { good: [...GOOD_EVERYWHERE, ...READ_ONLY_PATHS, ...TRAILING_SEPARATOR], bad: BAD_EVERYWHERE },
  write: { good: GOOD_EVERYWHERE, bad: [...BAD_EVERYWHERE, ...READ_ONLY_PATHS, ...LIFECYCLE_LOOKALIKES, ...TRAILING_SEPARATOR] },
  'move-target': { good: [...GOOD_EVERYWHERE, ...TRAILING_SEPARATOR], bad: [...BAD_EVERYWHERE, ...READ_ONLY_PATHS, ...LIFECYCLE_LOOKALIKES, 'Approved/'] },
};
