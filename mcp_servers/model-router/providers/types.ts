/**
 * What every provider adapter takes and gives back; the adapters differ only in wire format.
 */
export interface ProviderRequest {
  /** For messages: "Anthropic (sonnet)". */
  readonly service: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly modelId: string;
  readonly prompt: string;
  readonly maxTokens: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly now: () => Date;
}

export interface ProviderReply {
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Why generation stopped, as the provider says it ("end_turn", "stop", "max_tokens", ...). */
  readonly stopReason?: string;
}

export type ProviderAdapter = (request: ProviderRequest) => Promise<ProviderReply>;
