#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import module from 'node:module';

// V8's compile cache (Node >= 22.1) keeps the compiled code of our modules and their dependencies on
// disk between runs; on Node 20 the function does not exist and this is a no-op. It must be on before
// the CLI is imported, hence the dynamic import below.
try {
  module.enableCompileCache?.();
} catch {
  // a cache directory we cannot write: start without it
}
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv);
