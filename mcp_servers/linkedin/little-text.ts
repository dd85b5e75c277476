/**
 * LinkedIn stores post commentary in its "little" text format, where `\ | { } @ [ ] ( ) < > # * _ ~`
 * are markup. Unescaped, LinkedIn silently cuts the post at the first one, so plain text must be
 * escaped before sending. Two exceptions keep posts looking as written: `#hashtag` stays a hashtag
 * and URLs stay intact so they still link.
 */
const RESERVED = /[\\|{}@[\]()<>#*_~]/g;
// A URL, or a hashtag at the start of the text or after whitespace: both are passed through as is.
const KEEP = /https?:\/\/[^\s<>]+|(?<=^|\s)#[\p{L}\p{N}_]+/gu;

export function escapeLittleText(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(KEEP)) {
    const start = match.index;
    out += escapePlain(text.slice(last, start)) + match[0];
    last = start + match[0].length;
  }
  return out + escapePlain(text.slice(last));
}

/** The inverse, for text read back from the API: `\(` becomes `(`. */
export function unescapeLittleText(text: string): string {
  return text.replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');
}

function escapePlain(text: string): string {
  return text.replace(RESERVED, (char) => `\\${char}`);
}
