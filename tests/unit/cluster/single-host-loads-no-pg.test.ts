/**
 * The single-host default stays as it was (issue 16): nothing the CLI imports statically reaches the
 * PostgreSQL client; only `cluster` configured loads it (a dynamic import in cli/commands/daemon.ts).
 * Walks the built modules' static imports from the CLI's entry (tests run against dist/).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/stdio-client.js';

const STATIC_IMPORT = /^\s*(?:import|export)\s[^'"()]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (!specifier || /^\s*import\s+type\s/.test(match[0])) continue;
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the single-host CLI', () => {
  it('never imports pg statically, and the cluster store only through a dynamic import', () => {
    // main.js imports each command only when it runs: the daemon command's own module is the root.
    const { files, packages } = staticGraph(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'commands', 'daemon.js'));
    expect(files.size).toBeGreaterThan(50);
    expect(packages.has('zod')).toBe(true);
    // The cluster wiring itself is reached (it imports the store's types only).
    expect([...files].some((file) => file.endsWith(path.join('daemon', 'cluster.js')))).toBe(true);
    expect(packages.has('pg')).toBe(false);
    expect([...files].some((file) => file.endsWith(path.join('cluster', 'pg-store.js')))).toBe(false);
    const daemon = readFileSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'commands', 'daemon.js'), 'utf8');
    expect(daemon).toMatch(/await import\(['"]\.\.\/\.\.\/cluster\/pg-store\.js['"]\)/);
  });
});
