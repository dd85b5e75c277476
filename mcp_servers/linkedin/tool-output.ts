/**
 * Output schemas that also admit the §10 error shape. The SDK client (1.32) validates an error
 * result's `structuredContent` against the tool's output schema too (typescript-sdk issue #1943), so
 * a plain success schema would turn every `{ error_type, message }` into a protocol error the user
 * never sees. The listed JSON Schema says exactly what comes back: the success fields, or the error
 * fields (`anyOf`). Used by linkedin and model-router; a candidate for mcp_servers/shared/.
 */
import { z } from 'zod';

const ERROR_TYPES = ['validation', 'authentication', 'rate_limit', 'timeout', 'server_error', 'connection', 'tool_error', 'ambiguous'] as const;

const ERROR_FIELDS = {
  error_type: z.enum(ERROR_TYPES).optional().describe('Only on error results: the kind of failure'),
  message: z.string().optional().describe('Only on error results: what went wrong and how to fix it'),
  retry_after_ms: z.number().optional().describe('Only on error results: when a retry may succeed'),
};

type Optionalized<S extends Record<string, z.ZodType>> = { [K in keyof S]: z.ZodOptional<S[K]> };

/** `shape` as the success result; every field not optional in it is required unless `error_type` is set. */
export function outputWithErrors<S extends Record<string, z.ZodType>>(shape: S) {
  const required = Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
  const optional = Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as Optionalized<S>;
  return z
    .object({ ...optional, ...ERROR_FIELDS })
    .meta({ anyOf: [{ required }, { required: ['error_type', 'message'] }] })
    .superRefine((value, ctx) => {
      const record = value as Record<string, unknown>;
      if (record.error_type !== undefined) return;
      for (const key of required) {
        if (record[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required on a success result' });
      }
    });
}
