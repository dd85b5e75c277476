/**
 * The one error type configuration loading throws. `message` is the whole readable text (one line per
 * problem, each naming the file and the key path), so callers print it as is.
 */
export type ConfigErrorCode = 'config_invalid' | 'config_not_found' | 'config_unreadable';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One line per problem; `message` is these lines joined. */
  readonly problems: readonly string[];

  constructor(
    readonly code: ConfigErrorCode,
    /** Absolute path of the configuration file. */
    readonly file: string,
    problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(problems.join('\n'), options);
    this.problems = problems;
  }
}
