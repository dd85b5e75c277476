/**
 * OpenAI-compatible Chat Completions adapter: POST {base}/chat/completions. Serves OpenAI, OpenRouter,
 * Gemini's OpenAI endpoint and Ollama alike.
 */
import { z } from 'zod';
import { ToolFailure } from '../../shared/result.js';
import { requestJson } from '../../shared/http.js';
import type { ProviderReply, ProviderRequest } from './types.js';

const ChatReplySchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number() }),
});

export async function callOpenAiCompatible(request: ProviderRequest): Promise<ProviderReply> {
  const reply = await requestJson({
    service: request.service,
    method: 'POST',
    url: `${request.baseUrl.replace(/\/+$/, '')}/chat/completions`,
    headers: {
      Authorization: `Bearer ${request.apiKey}`,
      'content-type': 'application/json',
    },
    body: {
      model: request.modelId,
      messages: [{ role: 'user', content: request.prompt }],
      max_tokens: request.maxTokens,
    },
    // Repeating a prompt costs tokens but changes nothing elsewhere, so a broken connection may be retried.
    idempotent: true,
    timeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    now: request.now,
  });
  const parsed = ChatReplySchema.safeParse(reply.json);
  if (!parsed.success) {
    throw new ToolFailure('tool_error', `${request.service} answered with an unexpected body (no choices[] and usage); is the base URL a Chat Completions endpoint?`, { sent: true });
  }
  const choice = parsed.data.choices[0]!;
  return {
    text: choice.message.content ?? '',
    inputTokens: parsed.data.usage.prompt_tokens,
    outputTokens: parsed.data.usage.completion_tokens,
    ...(choice.finish_reason ? { stopReason: choice.finish_reason } : {}),
  };
}
