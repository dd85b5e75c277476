/** One clear line (or a few, for several configuration problems) for an error that ends a command. */
import { ConfigError } from '../config/errors.js';

export function describeError(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error in ${error.file}:\n${error.message}`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = (error as NodeJS.ErrnoException).path;
    if (code === 'ENOENT' && where) return `no such file: ${where}`;
    if (code === 'EACCES' && where) return `permission denied: ${where}`;
    return error.message;
  }
  return String(error);
}
