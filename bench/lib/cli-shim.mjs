/** Runs the CLI from the build named by BENCH_DIST (see paths.mjs), like bin/mcp-orchestrator.js does from dist/. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { main } = await import(pathToFileURL(path.join(process.env.BENCH_DIST ?? '', 'src/cli/main.js')).href);
process.exitCode = await main(process.argv);
