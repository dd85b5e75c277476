/**
 * Anthropic Messages API adapter: POST {base}/v1/messages.
 */
import { z } from 'zod';
import { ToolFailure } from '../../shared/result.js';
import { requestJson } from '../../shared/http.js';
import type { ProviderReply, ProviderRequest } from './types.js';

export const ANTHROPIC_VERSION = '2023-06-01';

const MessageReplySchema = z.looseObject({
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
  stop_reason: z.string().nullable().optional(),
});

export async function callAnthropic(request: ProviderRequest): Promise<ProviderReply> {
  const reply = await requestJson({
    service: request.service,
    method: 'POST',
    url: `${request.baseUrl.replace(/\/+$/, '')}/v1/messages`,
    headers: {
      'x-api-key': request.apiKey,
      'anthropic-version': ANTHROPIC_VERSION,
      'content-type': 'application/json',
    },
    body: {
      model: request.modelId,
      max_tokens: request.maxTokens,
      messages: [{ role: 'user', content: request.prompt }],
    },
    // Repeating a prompt costs tokens but changes nothing elsewhere, so a broken connection may be retried.
    idempotent: true,
    timeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    now: request.now,
  });
  const parsed = MessageReplySchema.safeParse(reply.json);
  if (!parsed.success) {
    throw new ToolFailure('tool_error', `${request.service} answered with an unexpected body (no content[] and usage); is the base URL an Anthropic Messages endpoint?`, { sent: true });
  }
  const message = parsed.data;
  return {
    text: message.content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join(''),
    inputTokens: message.usage.input_tokens,
    outputTokens: message.usage.output_tokens,
    ...(message.stop_reason ? { stopReason: message.stop_reason } : {}),
  };
}
