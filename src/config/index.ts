export { ConfigError, type ConfigErrorCode } from './errors.js';
export { loadConfig } from './load.js';
export { DEFAULT_CONFIG_PATH, resolveConfigPath } from './paths.js';
export { serverEnvironment } from './env.js';
export type {
  ActionConfig,
  Config,
  ExecutionConfig,
  HttpServerConfig,
  LoggingConfig,
  ServerConfig,
  StdioServerConfig,
} from './schema.js';
