/**
 * The adapter for each provider named in models.json.
 */
import type { ModelConfig } from '../config.js';
import { callAnthropic } from './anthropic.js';
import { callOpenAiCompatible } from './openai-compatible.js';
import type { ProviderAdapter } from './types.js';

export function adapterFor(provider: ModelConfig['provider']): ProviderAdapter {
  switch (provider) {
    case 'anthropic':
      return callAnthropic;
    case 'openai-compatible':
      return callOpenAiCompatible;
  }
}
