/** The plan core's public API: parse, validate, templates, problem formatting. All pure. */
export { parsePlan, DEFAULT_MAX_STEPS, type ParseOptions } from './parse.js';
export { DEFAULT_MAX_BYTES } from './decode.js';
export { validatePlan, type ValidateContext } from './validate.js';
export { formatProblem } from './problems.js';
export { createSchemaChecker, type SchemaChecker } from './schema-check.js';
export {
  findTemplateRefs,
  resolveTemplates,
  planValues,
  TemplateError,
  type TemplateContext,
  type TemplateScan,
} from './templates.js';
export { parseExpires } from './expires.js';
export { SINGLE_ACTION_RESERVED } from './front-matter-steps.js';
export { STEP_KEYS } from './step-fields.js';
export type * from './types.js';
export type * from './validated.js';
