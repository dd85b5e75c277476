/**
 * The optional alert webhook (`alerts.webhookUrl`): each alert raised or resolved is POSTed as JSON.
 * A webhook that fails (down, slow, non-2xx) is only logged: alerting must never hurt the daemon.
 */
import { messageOf } from '../core/text.js';
import type { AlertNotice } from './alert-center.js';

interface WebhookOptions {
  readonly url: string;
  /** Reported once per failed post. */
  readonly onError: (message: string) => void;
  readonly timeoutMs?: number;
  /** Node's global fetch unless a test substitutes it. */
  readonly fetch?: typeof fetch;
}

export function webhookNotifier(options: WebhookOptions): (notice: AlertNotice) => Promise<void> {
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  return async (notice) => {
    try {
      const response = await send(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'mcp-orchestrator' },
        body: JSON.stringify({ source: 'mcp-orchestrator', ...notice }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) options.onError(`alert webhook ${redact(options.url)} answered HTTP ${response.status}`);
    } catch (error) {
      options.onError(`alert webhook ${redact(options.url)} failed: ${messageOf(error)}`);
    }
  };
}

/** Webhook URLs often carry a token in the path or query: log only where it points. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
