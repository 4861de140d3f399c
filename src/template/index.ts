// Public surface of the template language. Workflow code must not import this file (it pulls in the
// YAML parser and ajv); it imports `./pure.js` instead, which offers the plan, diff, deferred
// evaluation, masking and the schema-free resolver.

import { re2Patterns } from './patterns.js';
import { resolveTemplatePure, type ResolveResult } from './resolve.js';
import type { TemplateDoc } from './types.js';
import { checkResolvedProperties } from './validate.js';

export type {
  ChangeKind,
  ElementChange,
  InputDefinition,
  InputSpec,
  NodeTemplate,
  OutputDefinition,
  PropertyPath,
  ResolvedNode,
  ResolvedOutput,
  ResolvedTemplate,
  TemplateAnalysis,
  TemplateDoc,
  TemplatePlan,
  TemplateProblem,
} from './types.js';
export { parseTemplate, MAX_TEMPLATE_BYTES, MAX_EXPANDED_VALUES, MAX_EXPANDED_BYTES, type ParseResult, type TemplateFormat } from './parse.js';
export { validateTemplate, checkResolvedProperties, MAX_ELEMENTS, TOSCA_VERSION } from './validate.js';
export { analyzeTemplate } from './analyze.js';
export { planTemplate, buildPlan, findCycles, documentDependencies } from './plan.js';
export { diffTemplates, type DiffOptions, type DiffTypeInfo } from './diff.js';
export { evaluateDeferred, isDeferred, deferredReferences, type AttributesOf, type AttributeReference } from './deferred.js';
export { maskResolvedTemplate, maskAttributes, maskSecretInputs, maskSecrets, SECRET_MASK } from './masking.js';
export { maskTemplateBody } from './mask-body.js';
export { isDeployable, type ResolveResult } from './resolve.js';
export { resolveInputValues, immutableInputProblems } from './input-values.js';
export { MAX_RESOLVED_VALUES, MAX_RESOLVED_BYTES } from './resolution-budget.js';
export { re2Patterns, MAX_PATTERN_LENGTH, MAX_PATTERN_SIZE, MAX_PATTERN_VALUE_LENGTH } from './patterns.js';
export { inputSpecsOf, maskInputSpecs, INPUT_TYPES, MAX_INPUTS } from './inputs.js';
export { CONSTRAINT_NAMES } from './input-constraints.js';
export { FUNCTION_NAMES } from './functions.js';
export {
  registerNodeType,
  getNodeType,
  listNodeTypes,
  unregisterNodeType,
  isNodeTypeOf,
  type NodeTypeDef,
  type AttributeDef,
  type RequirementDef,
  type JsonSchema,
} from './catalog/index.js';
export { ProblemCode, MAX_PROBLEMS, type ProblemCodeName } from './problems.js';
export { SourceMap, type SourcePosition } from './source-map.js';

/**
 * Resolves a validated template with input values: inputs checked (unknown, missing, wrong type,
 * failed constraint), defaults applied, functions evaluated (get_attribute stays deferred), and the
 * resolved properties checked against their types' schemas. `resolved` is null when there are problems.
 */
export function resolveTemplate(doc: TemplateDoc, inputs: Record<string, unknown>): ResolveResult {
  try {
    const result = resolveTemplatePure(doc, inputs, { patterns: re2Patterns() });
    if (result.resolved === null) return result;
    const problems = checkResolvedProperties(result.resolved);
    return problems.length > 0 ? { resolved: null, problems } : result;
  } catch (error) {
    return {
      resolved: null,
      problems: [{ code: 'INVALID_VALUE', path: '', message: `the template could not be resolved: ${error instanceof Error ? error.message : String(error)}` }],
    };
  }
}
