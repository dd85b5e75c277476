/**
 * Input and output schemas of the vault-watcher tools (the types handlers use are derived from these).
 * Path arguments carry the confinement rules of shared/path-rules.ts as a JSON Schema pattern.
 */
import { z } from 'zod';
import { vaultPathField } from '../shared/path-rules.js';
import { withErrorEnvelope } from '../shared/tool-output.js';

const noteInfo = z.object({
  path: z.string(),
  bytes: z.number().int(),
  modified: z.string().describe('ISO 8601 modification time'),
});

export const readNoteInput = { path: vaultPathField('note', 'The note to read, e.g. "Notes/today.md"') };
export const readNoteOutput = withErrorEnvelope({
  path: z.string().describe('Vault-relative path of the note; its text is the text content of the result'),
  bytes: z.number().int(),
  modified: z.string().describe('ISO 8601 modification time'),
});

export const writeModes = ['create', 'overwrite', 'append'] as const;
export const writeNoteInput = {
  path: vaultPathField('write', 'The note to write, e.g. "Notes/today.md"'),
  content: z.string().describe('The note text (UTF-8)'),
  mode: z
    .enum(writeModes)
    .default('create')
    .describe('create: fail if the note exists; overwrite: replace or create; append: add to the end (on a new line)'),
};
export const writeNoteOutput = withErrorEnvelope({
  path: z.string(),
  mode: z.enum(writeModes),
  created: z.boolean(),
  bytes: z.number().int().describe('Size of the note after the write'),
});

export const listNotesInput = {
  folder: vaultPathField('folder', 'Folder to list, e.g. "Notes" (the whole vault when omitted)').optional(),
  pattern: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Glob on the note name ("*.md", "2026-*") or, with a "/", on the path under the folder ("Clients/**/*.md")'),
};
export const listNotesOutput = withErrorEnvelope({
  folder: z.string(),
  notes: z.array(noteInfo),
  total: z.number().int().describe('Matching notes, including any left off'),
  truncated: z.boolean(),
});

export const searchNotesInput = {
  query: z.string().min(1).max(500).describe('Text to find, case-insensitive'),
  folder: vaultPathField('folder', 'Folder to search in, e.g. "Clients" (the whole vault when omitted)').optional(),
};
export const searchNotesOutput = withErrorEnvelope({
  query: z.string(),
  matches: z.array(z.object({ path: z.string(), line: z.number().int(), text: z.string() })),
  truncated: z.boolean(),
});

export const moveNoteInput = {
  from: vaultPathField('write', 'The note to move, e.g. "Inbox/idea.md"'),
  to: vaultPathField('move-target', 'New path, e.g. "Archive/idea.md"; ending in "/" keeps the file name. An existing note is never replaced'),
};
export const moveNoteOutput = withErrorEnvelope({ from: z.string(), to: z.string() });

export const recentChangesInput = {
  since: z.string().min(1).max(64).describe('ISO 8601 time, or a duration back from now: "30m", "24h", "7d"'),
};
export const recentChangesOutput = withErrorEnvelope({
  since: z.string().describe('The cut-off as an ISO 8601 time'),
  notes: z.array(noteInfo),
  truncated: z.boolean(),
});
