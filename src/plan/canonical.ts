import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal content always hashes equally whatever the
 * key order in the file. Hand-written: a dozen lines, and no canonical-JSON package is installed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  const body = keys
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${body.join(',')}}`;
}

/** First 12 hex digits of sha256 over the canonical JSON of {server, tool, args}. */
export function contentHash(server: string, tool: string, args: unknown): string {
  return createHash('sha256').update(canonicalJson({ server, tool, args })).digest('hex').slice(0, 12);
}
