/**
 * Token and dollar arithmetic, and the spending ceilings. Pure: the caller supplies today's spend.
 */
import { ToolFailure } from '../shared/result.js';
import type { ModelConfig } from './config.js';

/**
 * Rough token count of a text: about four characters per token for English with the common
 * tokenizers. Used only for estimates before sending; real counts come from the provider's reply.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function costUsd(model: ModelConfig, inputTokens: number, outputTokens: number): number {
  const price = model.price_per_million_tokens;
  return roundUsd((inputTokens * price.input + outputTokens * price.output) / 1_000_000);
}

export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export interface Ceilings {
  /** MCP_MAX_COST_PER_REQUEST, USD. */
  readonly maxPerRequest?: number;
  /** MCP_DAILY_LIMIT, USD per UTC day. */
  readonly dailyLimit?: number;
}

export interface SpendCheck {
  readonly modelName: string;
  readonly estimatedUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Recorded spend today plus requests still in flight. */
  readonly spentTodayUsd: number;
  readonly day: string;
}

/** Throws a `validation` ToolFailure naming the ceiling and how to raise it; nothing must be sent then. */
export function enforceCeilings(ceilings: Ceilings, check: SpendCheck): void {
  const estimate = `$${check.estimatedUsd.toFixed(4)}`;
  if (ceilings.maxPerRequest !== undefined && check.estimatedUsd > ceilings.maxPerRequest) {
    throw new ToolFailure(
      'validation',
      `estimated cost ${estimate} of this ${check.modelName} request (≈${check.inputTokens} input + ${check.outputTokens} output tokens) ` +
        `exceeds MCP_MAX_COST_PER_REQUEST=$${ceilings.maxPerRequest}; lower max_tokens, pick a cheaper model, or raise MCP_MAX_COST_PER_REQUEST`,
    );
  }
  if (ceilings.dailyLimit !== undefined && check.spentTodayUsd + check.estimatedUsd > ceilings.dailyLimit) {
    throw new ToolFailure(
      'validation',
      `today's model spend $${check.spentTodayUsd.toFixed(4)} (UTC ${check.day}) plus this request's estimated ${estimate} ` +
        `would exceed MCP_DAILY_LIMIT=$${ceilings.dailyLimit}; raise MCP_DAILY_LIMIT or wait for the next UTC day`,
    );
  }
}
