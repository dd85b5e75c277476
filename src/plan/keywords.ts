import type { ActionConfig } from '../config/schema.js';

export type KeywordMatch =
  | { readonly kind: 'match'; readonly action: string; readonly keyword: string }
  | { readonly kind: 'ambiguous'; readonly actions: readonly string[]; readonly keyword: string }
  | { readonly kind: 'none' };

/**
 * Matches free step text against each action's `keywords`: case-insensitive, whitespace-insensitive,
 * whole words only (so "email to" does not match "email today"). The action whose longest matching
 * keyword is longest wins; on a tie, the one matching more keywords; a remaining tie is ambiguous,
 * because guessing could send the wrong thing.
 */
export function matchKeywords(text: string, actions: Readonly<Record<string, ActionConfig>>): KeywordMatch {
  const haystack = normalise(text);
  if (haystack === '') return { kind: 'none' };
  const scored: { action: string; keyword: string; longest: number; count: number }[] = [];
  for (const [action, config] of Object.entries(actions)) {
    let best = '';
    let count = 0;
    for (const raw of config.keywords) {
      const keyword = normalise(raw);
      if (keyword === '' || !containsWords(haystack, keyword)) continue;
      count++;
      if (keyword.length > best.length) best = keyword;
    }
    if (count > 0) scored.push({ action, keyword: best, longest: best.length, count });
  }
  scored.sort((a, b) => b.longest - a.longest || b.count - a.count);
  const [top, second] = scored;
  if (top === undefined) return { kind: 'none' };
  if (second !== undefined && second.longest === top.longest && second.count === top.count) {
    const tied = scored.filter((s) => s.longest === top.longest && s.count === top.count).map((s) => s.action);
    return { kind: 'ambiguous', actions: tied, keyword: top.keyword };
  }
  return { kind: 'match', action: top.action, keyword: top.keyword };
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Substring search with word boundaries on both ends; plain indexOf so keywords need no escaping. */
function containsWords(haystack: string, needle: string): boolean {
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : haystack.charAt(at - 1);
    const after = haystack.charAt(at + needle.length);
    const startOk = before === '' || !WORD_CHAR.test(before) || !WORD_CHAR.test(needle.charAt(0));
    const endOk = after === '' || !WORD_CHAR.test(after) || !WORD_CHAR.test(needle.charAt(needle.length - 1));
    if (startOk && endOk) return true;
  }
  return false;
}
