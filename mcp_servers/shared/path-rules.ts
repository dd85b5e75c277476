/**
 * What a vault path given to a bundled tool may look like, stated once and used twice: as the JSON Schema
 * `pattern` the tools publish (so a client refuses a hostile path before calling), and as the servers'
 * own check with a message per rule (so a call that skipped the schema gets the same answer, explained).
 *
 * Each rule is a regex source matched at the start of the path; the published pattern is `^` followed by
 * one negative lookahead per rule, so "fits the pattern" and "no rule refuses it" are the same thing by
 * construction. The sources use only syntax that means the same with and without the `u` flag (zod
 * tests patterns without it, Ajv with it): no `\p{}`, no `\u{}`, no needless escapes. JSON Schema has no
 * case-insensitive flag, so folder names are spelled `[Aa][Pp]…` (macOS and Windows folders ignore case).
 *
 * What is refused, for every path: empty or blank, control characters (NUL, tab, line breaks, DEL, C1),
 * absolute (`/`, `\`, a drive letter `C:`), `..` and `.` segments, hidden entries (any segment starting
 * with `.`: `.orchestrator/` and `.mcp-state/` hold the daemon's and the servers' private state,
 * `.obsidian/` often holds plugin API keys), empty segments (`a//b`), segments starting with whitespace.
 * Note paths may not end with a separator (folders may). Paths that write or move also may not start in
 * a lifecycle folder (also spelled with the trailing dots or spaces Windows drops) nor be `Dashboard.md`.
 */
import { z } from 'zod';

/** Folders that only the orchestrator moves plans through; no tool may write into or out of them. */
export const LIFECYCLE_FOLDERS = ['Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review'] as const;
/** The orchestrator's status page at the vault root: only the daemon writes it. */
export const DASHBOARD_NOTE = 'Dashboard.md';
/** Hidden folders at the vault root holding private state, and whose state it is. */
const PRIVATE_FOLDERS: Readonly<Record<string, string>> = { '.mcp-state': 'the bundled servers', '.orchestrator': 'the orchestrator' };
export const MAX_PATH_CHARS = 1024;

/** How a tool uses a path: reads a note, names a folder to look in, writes a note, or is a move's target. */
export type PathUse = 'note' | 'folder' | 'write' | 'move-target';
const ALL: readonly PathUse[] = ['note', 'folder', 'write', 'move-target'];

interface PathRule {
  /** Regex source; the rule refuses a path when it matches at position 0. */
  readonly refuses: string;
  readonly uses: readonly PathUse[];
  /** Why, as a phrase after the quoted path: `"../x" contains ".."; …`. */
  readonly why: (path: string) => string;
}

const SEP = '[/\\\\]';
/** Anything, then a separator: what precedes the start of any segment but the first. */
const AT_SEGMENT = `(?:[\\s\\S]*${SEP})?`;

function anyCase(word: string): string {
  return [...word]
    .map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toUpperCase()}${ch.toLowerCase()}]` : ch === '.' ? '\\.' : ch))
    .join('');
}

const LIFECYCLE = `(?:${LIFECYCLE_FOLDERS.map(anyCase).join('|')})[. ]*(?:${SEP}|$)`;

function hiddenWhy(path: string): string {
  const segments = path.split(/[\\/]/);
  const segment = segments.find((part) => part.startsWith('.')) ?? '.';
  const owner = segment === segments[0] ? PRIVATE_FOLDERS[segment.toLowerCase()] : undefined;
  if (owner !== undefined) return `is in the private state folder "${segment}/" of ${owner}, which tools may not read or change`;
  return `names the hidden entry "${segment}"; hidden files and folders (such as .obsidian/) are off limits to vault tools`;
}

const RULES: readonly PathRule[] = [
  { refuses: '\\s*$', uses: ALL, why: () => 'is empty; give a path relative to the vault, e.g. "Notes/today.md"' },
  {
    refuses: '[\\s\\S]*[\\x00-\\x1F\\x7F-\\x9F]',
    uses: ALL,
    why: (p) => (p.includes('\0') ? 'contains a NUL byte' : 'contains a control character (a tab, a line break, …)') + '; remove it',
  },
  {
    refuses: `${SEP}|[A-Za-z]:`,
    uses: ALL,
    why: () => 'is absolute (it starts with "/", "\\" or a drive letter); give a path relative to the vault, e.g. "Notes/today.md"',
  },
  { refuses: `${AT_SEGMENT}\\.\\.(?:${SEP}|$)`, uses: ALL, why: () => 'contains ".."; paths must stay inside the vault' },
  { refuses: `${AT_SEGMENT}\\.(?:${SEP}|$)`, uses: ALL, why: () => 'contains a "." segment; write the path without it' },
  { refuses: `${AT_SEGMENT}\\.`, uses: ALL, why: hiddenWhy },
  { refuses: `[\\s\\S]*${SEP}${SEP}`, uses: ALL, why: () => 'contains an empty segment ("//"); remove the extra separator' },
  { refuses: `${AT_SEGMENT}\\s`, uses: ALL, why: () => 'has a part that starts with a space; remove it' },
  { refuses: `[\\s\\S]*${SEP}$`, uses: ['note', 'write'], why: () => 'ends with a separator; name a note, not a folder' },
  {
    refuses: LIFECYCLE,
    uses: ['write', 'move-target'],
    why: (p) => {
      const folder = LIFECYCLE_FOLDERS.find((f) => f.toLowerCase() === (p.split(/[\\/]/)[0] ?? '').replace(/[. ]+$/, '').toLowerCase());
      return `is in the lifecycle folder "${folder ?? p.split(/[\\/]/)[0]}/", which only the orchestrator may change (no plan may approve another)`;
    },
  },
  {
    refuses: `${anyCase(DASHBOARD_NOTE)}[. ]*$`,
    uses: ['write', 'move-target'],
    why: () => `is the orchestrator's ${DASHBOARD_NOTE}, which only it writes; write your note elsewhere`,
  },
];

/** The published JSON Schema `pattern` for a use: a path fits it exactly when no rule refuses it. */
export function pathPattern(use: PathUse): string {
  return `^${RULES.filter((rule) => rule.uses.includes(use))
    .map((rule) => `(?!${rule.refuses})`)
    .join('')}`;
}

const compiled = new Map(RULES.map((rule) => [rule, new RegExp(`^(?:${rule.refuses})`)] as const));

/** A path, quoted for a message: JSON escapes make control characters visible; long ones are cut. */
export function quotePath(path: string): string {
  const quoted = JSON.stringify(path);
  return quoted.length > 160 ? `${quoted.slice(0, 150)}…"` : quoted;
}

/** Why the path is refused for this use, as a phrase (`contains ".."; …`), or undefined when it is acceptable. */
export function refusalReason(use: PathUse, path: string): string | undefined {
  if (path.length > MAX_PATH_CHARS) return `is ${path.length} characters long; at most ${MAX_PATH_CHARS} are allowed`;
  return RULES.find((rule) => rule.uses.includes(use) && compiled.get(rule)?.test(path))?.why(path);
}

/** `"<path>" <reason>` when the path is refused for this use, else undefined. */
export function pathRefusal(use: PathUse, path: string): string | undefined {
  const why = refusalReason(use, path);
  return why === undefined ? undefined : `${quotePath(path)} ${why}`;
}

const BASE_WORDS = 'no leading "/" or drive letter, no "..", "." or hidden (".name") parts, no control characters';
const WRITE_WORDS = `${BASE_WORDS}; not in ${LIFECYCLE_FOLDERS.map((f) => `${f}/`).join(', ')} (any case), not ${DASHBOARD_NOTE}`;
const RULES_IN_WORDS: Record<PathUse, string> = { note: BASE_WORDS, folder: BASE_WORDS, write: WRITE_WORDS, 'move-target': WRITE_WORDS };

/** A zod string for a vault path: publishes maxLength and the pattern, and explains a refusal. */
export function vaultPathField(use: PathUse, description: string) {
  return z
    .string()
    .min(1, { error: 'is empty; give a path relative to the vault, e.g. "Notes/today.md"' })
    .max(MAX_PATH_CHARS, { error: `is longer than ${MAX_PATH_CHARS} characters` })
    .regex(new RegExp(pathPattern(use)), {
      error: (issue) => pathRefusal(use, String(issue.input)) ?? 'is not an allowed vault path',
    })
    .describe(`${description}. Relative to the vault: ${RULES_IN_WORDS[use]}`);
}
