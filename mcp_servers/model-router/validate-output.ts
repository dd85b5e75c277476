/**
 * A deterministic, offline check of a model's output against its task: the mistakes that are cheap to
 * spot without another model (empty, refusal, placeholders, too short, broken code fences, bad JSON).
 * Errors fail the check; warnings only lower the confidence. Pure.
 */

export interface OutputIssue {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface OutputVerdict {
  readonly pass: boolean;
  readonly issues: OutputIssue[];
  /** How likely the output is usable as is, 0..1. */
  readonly confidence: number;
  /** Worth re-running with a stronger model or asking a human. */
  readonly escalate: boolean;
}

const REFUSALS = [
  /\bI(?:'m| am) (?:sorry|afraid),? but I (?:can(?:'|no)t|won't|am unable)/i,
  /\bI (?:can(?:'|no)t|won't|am unable to|am not able to) (?:help|assist|comply|do that|provide|complete)/i,
  /\bas an AI(?: language model)?\b/i,
  /\bI(?:'m| am) not able to (?:help|assist)/i,
];

const PLACEHOLDERS = [
  /\b(?:TODO|FIXME|TBD|XXX)\b/,
  /\[(?:insert|your|placeholder|add|name|company)[^\]]*\]/i,
  /<(?:insert|placeholder|your)[^>]*>/i,
  /\{\{\s*[\w.]+\s*\}\}/,
  /\blorem ipsum\b/i,
];

/** Tasks asking for substantial prose deserve more than a line. */
const LONG_FORM = /\b(essay|report|article|blog post|proposal|detailed|in detail|explain|documentation|write[- ]?up|guide|analysis)\b/i;
const WANTS_CODE = /\b(code|function|script|implement|class|snippet|program|sql query|regex)\b/i;
const WANTS_JSON = /\b(?:as|in|return|output|respond with|reply with|valid)\s+(?:a\s+|an\s+)?json\b/i;

export function minimumLength(task: string): number {
  return LONG_FORM.test(task) ? 200 : 20;
}

export function validateOutput(task: string, output: string): OutputVerdict {
  const issues: OutputIssue[] = [];
  const error = (code: string, message: string) => issues.push({ code, severity: 'error', message });
  const warn = (code: string, message: string) => issues.push({ code, severity: 'warning', message });
  const text = output.trim();

  if (text === '') {
    error('empty', 'the output is empty');
    return verdict(issues);
  }
  if (REFUSALS.some((pattern) => pattern.test(text))) error('refusal', 'the output refuses or deflects the task');
  const placeholder = PLACEHOLDERS.map((pattern) => text.match(pattern)?.[0]).find(Boolean);
  if (placeholder) error('placeholder', `the output contains the placeholder "${placeholder}"`);
  const min = minimumLength(task);
  if (text.length < min) error('too_short', `the output is ${text.length} characters; this task needs at least ${min}`);

  const fences = text.split('\n').filter((line) => /^\s*(```|~~~)/.test(line)).length;
  if (fences % 2 === 1) error('unbalanced_code_fence', 'a ``` code block is opened but never closed (the reply may be cut off)');
  if (WANTS_JSON.test(task) && !parsesAsJson(text)) error('invalid_json', 'the task asks for JSON but the output does not parse as JSON');
  else if (WANTS_CODE.test(task) && fences === 0 && !looksLikeCode(text)) warn('no_code', 'the task asks for code but the output has none');

  if (/[,:;]$|\.\.\.$|…$/.test(text)) warn('truncated', 'the output ends mid-sentence; it may have been cut off');
  const repeated = mostRepeatedLine(text);
  if (repeated >= 3) warn('repetition', `a line is repeated ${repeated} times`);
  return verdict(issues);
}

function verdict(issues: OutputIssue[]): OutputVerdict {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const confidence = Math.max(0, Math.round((0.95 - 0.3 * errors - 0.15 * warnings) * 100) / 100);
  const pass = errors === 0;
  return { pass, issues, confidence, escalate: !pass || confidence < 0.6 };
}

function parsesAsJson(text: string): boolean {
  const unfenced = text.replace(/^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i, '$1');
  try {
    JSON.parse(unfenced);
    return true;
  } catch {
    return false;
  }
}

function looksLikeCode(text: string): boolean {
  return /[{};]\s*$|=>|\bfunction\b|\bdef\b|\breturn\b|^\s{4}\S/m.test(text);
}

function mostRepeatedLine(text: string): number {
  const counts = new Map<string, number>();
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l.length > 10)) {
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
}
