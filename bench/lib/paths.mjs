/** Where the built code lives. BENCH_DIST (an absolute path) swaps in another build, to try a change. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(REPO_ROOT, 'dist');
export const NOOP_SERVER = path.join(DIST, 'tests/fixtures/servers/noop-server.js');
/** The daemon entry: bin/ imports ../dist, so with BENCH_DIST we call the CLI's main() through a shim. */
export const DAEMON_ENTRY = process.env.BENCH_DIST ? path.join(REPO_ROOT, 'bench/lib/cli-shim.mjs') : path.join(REPO_ROOT, 'bin/mcp-orchestrator.js');
