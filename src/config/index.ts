export { ConfigError, type ConfigErrorCode } from './errors.js';
export { loadConfig } from './load.js';
export { DEFAULT_CONFIG_PATH, resolveConfigPath } from './paths.js';
export { serverEnvironment } from './env.js';
export { oauthDir, stateRoot } from './state-dir.js';
export type {
  ActionConfig,
  Config,
  DisabledServerConfig,
  ExecutionConfig,
  HttpServerConfig,
  LoggingConfig,
  OAuthConfig,
  RemoteServerConfig,
  ServerConfig,
  SseServerConfig,
  StdioServerConfig,
} from './schema.js';
