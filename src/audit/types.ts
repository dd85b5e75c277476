/** The audit log's vocabulary (SPEC §8). */

const AUDIT_EVENT_KINDS = [
  'CLAIM',
  'CALL',
  'PARAMS',
  'RESPONSE',
  'SUCCESS',
  /** A call the server answered as a repeat of an earlier send with the same idempotency key: nothing sent now. */
  'DEDUPLICATED',
  'RETRY',
  'FAILED',
  'METRICS',
  'AUDIT',
  'DONE',
  'ALERT',
  'REVIEW',
  'DEFERRED',
  'AGENT',
] as const;

export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

export interface AuditEvent {
  readonly event: AuditEventKind;
  /** Plan id. */
  readonly plan?: string;
  /** The plan's file name, where the file matters (claimed, moved, left in place). */
  readonly file?: string;
  /** 1-based step index. */
  readonly step?: number;
  readonly server?: string;
  readonly tool?: string;
  /** The configured action a step names (JSON line only: the human line names `server.tool`). */
  readonly action?: string;
  readonly attempt?: number;
  readonly status?: string;
  readonly error_type?: string;
  readonly duration_ms?: number;
  readonly approved_by?: string;
  /** Tool arguments or result; sanitized (or dropped) before writing. */
  readonly params?: unknown;
  /** Free text for people; sanitized before writing. */
  readonly message?: string;
}

export interface AuditLog {
  /** Never throws and never waits: writing happens in the background; `close()` waits for it. */
  record(event: AuditEvent): void;
  /** Resolves once everything recorded is on disk. Later `record` calls are ignored. */
  close(): Promise<void>;
}
