/**
 * The layers of docs/ARCHITECTURE.md, enforced: a folder of src/ imports only itself and the folders
 * listed before it (static and dynamic imports alike), so a cross-cutting change stays in its layer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
const LAYERS = ['core', 'config', 'vault', 'plan', 'mcp', 'events', 'execution', 'journal', 'cluster', 'audit', 'stats', 'metrics', 'monitor', 'run', 'daemon', 'serve', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(path: string): string {
  return relative(SRC, path).split(sep)[0] ?? '';
}

/** Relative specifiers of `import … from '…'`, `export … from '…'` and `import('…')`. */
function importsOf(text: string): string[] {
  const found = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)];
  return found.map((match) => match[1] ?? '');
}

describe('layers (docs/ARCHITECTURE.md)', () => {
  const files = sources(SRC);

  it('every folder of src/ is a known layer', () => {
    const folders = new Set(files.map(layerOf).filter((layer) => !layer.endsWith('.ts')));
    expect([...folders].filter((folder) => !LAYERS.includes(folder))).toEqual([]);
  });

  it('imports point down only', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const to = layerOf(resolve(dirname(file), specifier));
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) upward.push(`${relative(SRC, file)} → ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds imports in the shapes the code uses (the check above can fail)', () => {
    expect(importsOf("import { a } from '../core/x.js';\nexport * from './y.js';\nconst m = await import('../cli/z.js');")).toEqual(['../core/x.js', './y.js', '../cli/z.js']);
  });
});
