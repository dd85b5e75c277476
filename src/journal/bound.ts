import type { JournalRecord, OutcomeRecord } from './records.js';

/** Largest `text`, and largest serialized `structured`, kept in an outcome record (UTF-8 bytes). */
export const MAX_RESULT_BYTES = 64 * 1024;

/**
 * Keeps one journal line bounded: an outcome's text is cut to MAX_RESULT_BYTES (on a character
 * boundary) and a larger `structured` is dropped, each flagged, so later steps' templates learn the value
 * was cut instead of silently reading a partial one. Other records pass through. Pure.
 */
export function boundRecord(record: JournalRecord, maxBytes: number = MAX_RESULT_BYTES): JournalRecord {
  if (record.type !== 'outcome') return record;
  let bounded: OutcomeRecord = record;
  if (record.text !== undefined && Buffer.byteLength(record.text, 'utf8') > maxBytes) {
    bounded = { ...bounded, text: cutUtf8(record.text, maxBytes), text_truncated: true };
  }
  if (record.structured !== undefined) {
    const json = JSON.stringify(record.structured);
    if (json === undefined || Buffer.byteLength(json, 'utf8') > maxBytes) {
      const { structured: _dropped, ...rest } = bounded;
      bounded = { ...rest, structured_dropped: true };
    }
  }
  return bounded;
}

function cutUtf8(text: string, maxBytes: number): string {
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A multi-byte character split at the edge decodes as U+FFFD: drop it.
  return cut.endsWith('\uFFFD') && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}
