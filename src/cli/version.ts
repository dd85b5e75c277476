/**
 * The package's version, from its package.json. Found by walking up from this module, because the
 * module runs both compiled (dist/src/cli/) and from source in tests (src/cli/): the depth differs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'mcp-orchestrator' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here: keep looking
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
