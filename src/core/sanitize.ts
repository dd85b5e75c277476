/**
 * Masks what must not reach a log file (SPEC §8): e-mail addresses (`client@***.com`), values under
 * secret-looking keys (`[REDACTED]`), credentials embedded in text, and over-long strings. Pure.
 *
 * Not secrets, on purpose:
 * - `idempotency_key`: a deterministic `planId:stepIndex:hash`, and the one value needed to match
 *   retries of the same step across the log; it opens nothing.
 * - `keywords`: the action-matching phrases of the configuration.
 * - token COUNTS (`max_tokens: 500`, `tokens: {input, output}`): numbers under keys ending in
 *   `tokens` are usage figures; a string there is still redacted.
 */

import { cut } from './text.js';

export const REDACTED = '[REDACTED]';

interface SanitizeOptions {
  /** Strings longer than this are cut and end with `…(+N chars)`. Default 200; Infinity keeps all. */
  readonly maxStringLength?: number;
  /** Mask e-mails and secrets. Default true; false only makes the value loggable (cycles, bigints…). */
  readonly redact?: boolean;
  /** Deeper nesting is replaced by `[Truncated]`. Default 8. */
  readonly maxDepth?: number;
  /** Longer arrays keep their first items and a `…(+N items)` marker. Default 50. */
  readonly maxArrayItems?: number;
}

const SECRET_KEY_PARTS = ['token', 'secret', 'password', 'passwd', 'key', 'authorization', 'cookie', 'credential'];
const SECRET_KEYS_EXACT = new Set(['auth', 'pass', 'pwd']);
const NOT_SECRET_KEYS = new Set(['idempotencykey', 'keywords']);

/** Does a field with this name hold a secret? Case, `_` and `-` are ignored (`apiKey`, `x-api-key`). */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (NOT_SECRET_KEYS.has(normalized)) return false;
  return SECRET_KEYS_EXACT.has(normalized) || SECRET_KEY_PARTS.some((part) => normalized.includes(part));
}

/** Usage figures such as `max_tokens: 500` or `tokens: {input: 3, output: 5}`. */
function isTokenCount(key: string, value: unknown): boolean {
  if (!/tokens$/i.test(key.replace(/[^a-z]/gi, ''))) return false;
  if (typeof value === 'number') return true;
  return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'number');
}

export function sanitize(value: unknown, options: SanitizeOptions = {}): unknown {
  const maxString = options.maxStringLength ?? 200;
  const redact = options.redact ?? true;
  const maxDepth = options.maxDepth ?? 8;
  const maxItems = options.maxArrayItems ?? 50;
  const seen = new WeakSet<object>();

  const walk = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return cut(redact ? sanitizeText(node) : node, maxString, 'count');
    if (typeof node === 'bigint') return node.toString();
    if (typeof node === 'function' || typeof node === 'symbol') return undefined;
    if (typeof node !== 'object' || node === null) return node;
    if (node instanceof Date) return Number.isNaN(node.getTime()) ? String(node) : node.toISOString();
    if (node instanceof Uint8Array) return `[${node.byteLength} bytes]`;
    if (seen.has(node)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    seen.add(node);
    try {
      if (node instanceof Error) return { name: node.name, message: walk(node.message, depth + 1) };
      if (Array.isArray(node)) {
        const items = node.slice(0, maxItems).map((item) => walk(item, depth + 1));
        return node.length > maxItems ? [...items, `…(+${node.length - maxItems} items)`] : items;
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const safeKey = redact ? sanitizeText(key) : key;
        const secret = redact && isSecretKey(key) && !isTokenCount(key, child);
        out[safeKey] = secret && child !== null && child !== undefined && child !== '' ? REDACTED : walk(child, depth + 1);
      }
      return out;
    } finally {
      // Only ancestors count as cycles; the same object twice side by side is fine.
      seen.delete(node);
    }
  };
  return walk(value, 0);
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):([^\s@/]+)@/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const KNOWN_KEY_FORMATS = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic (sk-ant-), OpenRouter (sk-or-)
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google / Gemini
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWT
];
const KEY_VALUE =
  /\b([A-Za-z0-9_-]*(?:token|secret|password|passwd|api[_-]?key|apikey)[A-Za-z0-9_-]*)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"'&,;]+)/gi;
const EMAIL = /\b([A-Za-z0-9._%+-]+)@((?:[A-Za-z0-9-]+\.)+)([A-Za-z]{2,})\b/g;

/** Masks credentials and e-mail addresses inside free text, such as an error message. */
export function sanitizeText(text: string): string {
  let out = text.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(BEARER, `$1 ${REDACTED}`);
  for (const pattern of KNOWN_KEY_FORMATS) out = out.replace(pattern, REDACTED);
  out = out.replace(KEY_VALUE, (match: string, key: string, sep: string, value: string) =>
    /tokens$/i.test(key) && /^\d+$/.test(value) ? match : `${key}${sep}${requote(value, REDACTED)}`,
  );
  return out.replace(EMAIL, (_match: string, local: string, _domain: string, tld: string) => `${local}@***.${tld}`);
}

/** Keeps the quotes around a replaced quoted value, so JSON in a message stays JSON. */
function requote(original: string, replacement: string): string {
  const quote = original[0];
  return quote === '"' || quote === "'" ? `${quote}${replacement}${quote}` : replacement;
}

/** An object with keys: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shorter values would mask ordinary words and numbers; real credentials are longer. */
const MIN_SECRET_CHARS = 6;

/** Distinct values long enough to be credentials, longest first (so one containing another goes whole). */
export function strongestFirst(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((value) => value.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}

/**
 * Known values that must never be written (SPEC §8: values that came from an environment variable the
 * configuration names), masked wherever they appear — under any key, inside any text — as written, as
 * JSON escapes them, and URL-encoded. `secrets` longest first (so one containing another goes whole).
 */
export function maskKnownText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * `value` with every string (keys included) passed through maskKnownText, at any depth. Objects keep
 * their prototype (a StepError stays one, a Date a Date), so the masked copy reads like the original.
 * Returns `value` itself when there is nothing to mask.
 */
export function maskKnown<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const copies = new WeakMap<object, unknown>();
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return maskKnownText(node, secrets);
    if (typeof node !== 'object' || node === null || node instanceof Date || node instanceof Uint8Array) return node;
    const known = copies.get(node);
    if (known !== undefined) return known;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      copies.set(node, out);
      for (const item of node) out.push(walk(item));
      return out;
    }
    if (node instanceof Map) {
      const out = new Map();
      copies.set(node, out);
      for (const [key, item] of node) out.set(walk(key), walk(item));
      return out;
    }
    if (node instanceof Set) {
      const out = new Set();
      copies.set(node, out);
      for (const item of node) out.add(walk(item));
      return out;
    }
    const out = Object.create(Object.getPrototypeOf(node) as object | null) as Record<PropertyKey, unknown>;
    copies.set(node, out);
    for (const key of Reflect.ownKeys(node)) {
      const descriptor = Object.getOwnPropertyDescriptor(node, key) as PropertyDescriptor;
      const name = typeof key === 'string' ? maskKnownText(key, secrets) : key;
      if ('value' in descriptor) {
        Object.defineProperty(out, name, { ...descriptor, value: walk(descriptor.value) });
        continue;
      }
      // An own accessor (some engines give an Error's `stack` one) read here: the copy gets its masked value.
      let read: unknown;
      try {
        read = Reflect.get(node, key);
      } catch {
        continue;
      }
      Object.defineProperty(out, name, { value: walk(read), writable: true, enumerable: descriptor.enumerable ?? false, configurable: true });
    }
    return out;
  };
  return walk(value) as T;
}
