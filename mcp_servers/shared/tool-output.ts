/**
 * Output schemas that admit the error envelope of `result.ts` as well as the success shape.
 *
 * Why: the SDK client (1.32) validates `structuredContent` against a tool's `outputSchema` even on
 * `isError` results (typescript-sdk issue #1943), so a schema listing only the success fields makes every
 * `{ error_type, message, sent }` failure surface as a protocol error instead. The advertised JSON Schema
 * says exactly "the success object, or the error envelope"; the server-side zod check still demands the
 * full success shape (the SDK only checks non-error results there).
 */
import { z } from 'zod';

const ERROR_TYPES = [
  'validation',
  'authentication',
  'rate_limit',
  'timeout',
  'server_error',
  'connection',
  'tool_error',
  'ambiguous',
] as const;

export const errorEnvelope = z.object({
  error_type: z.enum(ERROR_TYPES),
  message: z.string(),
  retry_after_ms: z.number().optional(),
  sent: z.boolean().describe('Whether the outside world may have acted on the call: false means nothing was sent (safe to retry)'),
});

export function withErrorEnvelope<S extends z.ZodRawShape>(shape: S) {
  for (const key of Object.keys(errorEnvelope.shape)) {
    if (key in shape) throw new Error(`output field "${key}" clashes with the error envelope; rename it`);
  }
  const success = z.object(shape);
  const required = Object.entries(shape)
    .filter(([, field]) => !z.safeParse(field, undefined).success)
    .map(([key]) => key);
  return success
    .partial()
    .extend(errorEnvelope.partial().shape)
    .refine((value) => success.safeParse(value).success || errorEnvelope.safeParse(value).success, {
      message: 'structured content is neither the tool result nor an error envelope',
    })
    .meta({ anyOf: [{ required }, { required: ['error_type', 'message', 'sent'] }] });
}
