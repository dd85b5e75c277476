import { createHash } from 'node:crypto';

/** Hex SHA-256 of text (as UTF-8) or bytes: pins the exact content of a claimed plan. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
