/** The errno-like `code` of a Node.js error (`ENOENT`, `EACCES`, …), in one place. Pure. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Did it fail because the file or folder is not there? */
export function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

/** Resolves to `fallback` when the file is missing; other errors pass on. */
export async function unlessMissing<T, F>(work: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await work;
  } catch (error) {
    if (isMissing(error)) return fallback;
    throw error;
  }
}
