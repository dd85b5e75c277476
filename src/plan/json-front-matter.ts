/**
 * `---json` front matter (accepted by the parser) cannot take YAML `key: value` lines: fields are set by
 * parsing the JSON, changing it and writing it back, pretty-printed. The body is left alone. Pure.
 */
export function isJsonOpening(line: string): boolean {
  return /^---[ \t]*json[ \t]*$/i.test(line);
}

/**
 * The new lines between the delimiters, or undefined when the JSON is not an object (such a plan is
 * invalid anyway; the caller then leaves the front matter as it is).
 */
export function setJsonFields(inner: readonly string[], fields: Readonly<Record<string, string | null>>): string[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(inner.join('\n'));
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const object = data as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) delete object[key];
    else object[key] = value;
  }
  return JSON.stringify(object, null, 2).split('\n');
}
