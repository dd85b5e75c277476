/**
 * Does this directory entry name count as a plan file (SPEC §4)? Only `*.md`. Ignored: dotfiles (which
 * covers `.#x.md` Emacs locks, `.~lock.x.md#` LibreOffice locks, `.x.md.swp` Vim swaps and our own
 * `.x.tmp` temporaries), `~`-prefixed owner files (`~$x.md`), `#`-prefixed auto-saves, and anything not
 * ending in `.md` (`x.md~`, `x.md.tmp`, `x.md.swp`). Pure.
 */
export function isPlanFileName(name: string): boolean {
  if (/[/\\\0]/.test(name)) return false; // not a bare entry name
  if (/^[.~#]/.test(name)) return false;
  return name.length > 3 && name.toLowerCase().endsWith('.md');
}
