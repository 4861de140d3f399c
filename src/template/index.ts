// Public surface of the template language. Workflow code must not import this file (it pulls in the
// YAML parser and ajv); it imports `./pure.js` instead.

export type { TemplateProblem, InputSpec, TemplateDoc, TemplateAnalysis, ResolvedTemplate } from './types.js';
export { parseTemplate, MAX_TEMPLATE_BYTES, type ParseResult, type TemplateFormat } from './parse.js';
export { ProblemCode } from './problems.js';
