import matter from 'gray-matter';
import { isMapping, kindOf, parseYaml } from './yaml-safe.js';

export interface FrontMatter {
  readonly data: Readonly<Record<string, unknown>>;
  /** The markdown after the front matter. */
  readonly body: string;
  /** 1-based line of the file where `body` starts. */
  readonly bodyLine: number;
}

export type FrontMatterResult =
  | { readonly ok: true; readonly value: FrontMatter }
  | { readonly ok: false; readonly message: string; readonly line?: number };

const YAML_LANGUAGES = new Set(['', 'yaml', 'yml', 'json']);
const REFUSE = (): object => {
  // Never reached: languages are checked first. Kept so gray-matter's eval engine can never run.
  throw new Error('front matter language refused');
};

/**
 * Splits YAML front matter from the body with gray-matter, whose engines are all replaced: YAML (and
 * JSON, a YAML subset) go through `parseYaml`; `---js`/`---coffee` are refused before gray-matter
 * sees them and would throw if they got there. An options object is passed on every call, which is
 * what keeps gray-matter from reading or filling its content-keyed module cache.
 */
export function splitFrontMatter(text: string): FrontMatterResult {
  // gray-matter treats `----…` (a fourth dash) as "no front matter"; mirror that.
  if (!text.startsWith('---') || text.charAt(3) === '-') return { ok: true, value: { data: {}, body: text, bodyLine: 1 } };
  const firstLineEnd = text.search(/\r?\n/);
  const language = (firstLineEnd === -1 ? text.slice(3) : text.slice(3, firstLineEnd)).trim();
  if (!YAML_LANGUAGES.has(language.toLowerCase())) {
    return {
      ok: false,
      line: 1,
      message: `front matter language ${JSON.stringify(language.slice(0, 40))} is not accepted (it is never evaluated): start the file with a plain --- line and YAML`,
    };
  }
  if (firstLineEnd === -1 || text.indexOf('\n---', firstLineEnd) === -1) {
    return { ok: false, line: 1, message: 'the front matter opened by --- on line 1 is never closed: add a --- line after it' };
  }

  let captured: { ok: true; value: unknown } | { ok: false; message: string; line?: number } | undefined;
  const capture = (src: string): object => {
    captured = parseYaml(src);
    return {};
  };
  let file: { content: string };
  try {
    file = matter(text, {
      language: 'yaml',
      excerpt: false,
      engines: {
        [language]: capture,
        yaml: capture,
        yml: capture,
        json: capture,
        javascript: REFUSE,
        js: REFUSE,
        coffee: REFUSE,
        coffeescript: REFUSE,
        cson: REFUSE,
      },
    });
  } catch (err) {
    return { ok: false, line: 1, message: `front matter could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (captured !== undefined && !captured.ok) {
    // The YAML source starts right after the `---` line, whose own remainder is YAML line 1.
    return {
      ok: false,
      message: `front matter is not valid YAML: ${captured.message}`,
      ...(captured.line !== undefined ? { line: captured.line } : {}),
    };
  }
  const data = captured === undefined ? {} : captured.value;
  if (data !== null && !isMapping(data)) {
    return { ok: false, line: 2, message: `front matter must be a YAML mapping of key: value lines, got ${kindOf(data)}` };
  }
  const body = file.content;
  const bodyStart = text.length - body.length;
  return { ok: true, value: { data: data ?? {}, body, bodyLine: countLines(text, bodyStart) } };
}

function countLines(text: string, end: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
