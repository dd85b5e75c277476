/**
 * Every tool call is an audit event (SPEC §11), refused ones included: the transport of each session
 * is wrapped so each `tools/call` request and its answer make one AUDIT line (`orchestrator.<tool>`,
 * `status=ok|refused`, the plan and the answer's first words). Watching the wire, not the handlers,
 * is what catches the calls the SDK refuses before any handler runs (arguments that fail the input
 * schema: a 50 MB markdown, an id that is a path). `update_status` succeeding is its own AGENT line.
 */
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { AuditLog } from '../audit/types.js';
import { cut, oneLine } from '../core/text.js';

const AUDIT_SERVER = 'orchestrator';

/** A request refused unread as too large (oversize.ts): no handler ran, the transport answered it. */
export function auditOversize(audit: AuditLog, who: string, size: number, tool: string | undefined): void {
  audit.record({ event: 'AUDIT', server: AUDIT_SERVER, tool: tool ?? '(unknown)', status: 'refused', message: `${who}: request of ${size} bytes refused as too large` });
}

interface Pending {
  readonly tool: string;
  readonly plan?: string;
}

export class AuditedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private readonly pending = new Map<string | number, Pending>();

  constructor(
    private readonly inner: Transport,
    private readonly audit: AuditLog,
    private readonly who: string,
  ) {
    inner.onmessage = (message, extra) => {
      this.heard(message);
      this.onmessage?.(message, extra);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.answered(message);
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private heard(message: JSONRPCMessage): void {
    if (!('method' in message) || message.method !== 'tools/call' || !('id' in message)) return;
    const params = (message.params ?? {}) as { name?: unknown; arguments?: Record<string, unknown> };
    const tool = typeof params.name === 'string' ? cut(params.name, 60) : '(unnamed)';
    const args = params.arguments ?? {};
    const plan = typeof args.id === 'string' ? args.id : typeof args.plan === 'string' ? args.plan : undefined;
    this.pending.set(message.id, { tool, ...(plan !== undefined ? { plan: cut(plan, 200) } : {}) });
  }

  private answered(message: JSONRPCMessage): void {
    if (!('id' in message) || 'method' in message || message.id === undefined) return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    const result = 'result' in message ? (message.result as { isError?: boolean; content?: unknown; structuredContent?: Record<string, unknown> }) : undefined;
    const refused = !result || result.isError === true;
    if (!refused && call.tool === 'update_status') return;
    const text = 'error' in message ? message.error.message : textOf(result?.content);
    const id = typeof result?.structuredContent?.id === 'string' ? result.structuredContent.id : call.plan;
    this.audit.record({
      event: 'AUDIT',
      server: AUDIT_SERVER,
      tool: call.tool,
      status: refused ? 'refused' : 'ok',
      ...(id !== undefined ? { plan: id } : {}),
      message: `${this.who}: ${cut(oneLine(text), 300)}`,
    });
  }
}

/** The text parts of a tool's answer, joined. */
export function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((part: { type?: string; text?: string }) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join(' ');
}
