export { loadConfig } from './load.js';
export { resolveConfigPath } from './paths.js';
export { serverEnvironment } from './env.js';
