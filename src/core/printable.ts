/**
 * Text that reaches a terminal (`tail -f` of the log) or a rendered note must not carry control
 * characters: an ESC sequence in a plan id could retitle or clear the reader's terminal, and bidi
 * overrides could disguise a file name. They are shown as `\uXXXX` instead. Pure.
 */
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function hasUnprintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text);
}

export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
