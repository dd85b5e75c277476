/**
 * A small glob matcher for `list_notes`'s pattern: `*` (within a folder), `**` (across folders), `?`, and
 * `{a,b}` alternatives, case-insensitive. Hand-written because Node 20's `path.matchesGlob` is experimental
 * (it prints a warning on stderr) and no glob library is among our dependencies.
 */
function escapeLiteral(ch: string): string {
  return /[.+^$()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
}

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '*') {
      if (pattern.charAt(i + 1) === '*') {
        const slashAfter = pattern.charAt(i + 2) === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') source += '[^/]';
    else if (ch === '{') {
      depth++;
      source += '(?:';
    } else if (ch === '}' && depth > 0) {
      depth--;
      source += ')';
    } else if (ch === ',' && depth > 0) source += '|';
    else source += escapeLiteral(ch);
  }
  if (depth > 0) throw new Error(`pattern "${pattern}" has an unclosed "{"`);
  return new RegExp(`^${source}$`, 'i');
}

/**
 * Whether a folder-relative note path matches: a pattern with a "/" is matched against the whole relative
 * path, one without against the file name only (like `.gitignore`).
 */
export function matchesPattern(pattern: string, relativePath: string): boolean {
  const subject = pattern.includes('/') ? relativePath : relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return globToRegExp(pattern).test(subject);
}
