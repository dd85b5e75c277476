export { AUDIT_EVENT_KINDS, type AuditEvent, type AuditEventKind, type AuditLog } from './types.js';
export { REDACTED, cut, isSecretKey, sanitize, sanitizeText, type SanitizeOptions } from './sanitize.js';
export { formatHumanLine, formatJsonLine, prepareEvent } from './format.js';
export { formatLocalDateTime } from './localTime.js';
export { HUMAN_LOG_FILE, JSON_LOG_FILE, createAuditLog, type AuditLogOptions } from './logger.js';
export { createMemoryAuditLog, createNullAuditLog, type MemoryAuditLog } from './memory.js';
