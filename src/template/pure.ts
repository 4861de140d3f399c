// The part of the template language that Temporal workflows (a deterministic sandbox) may import:
// no parser, no schema validator, no IO. A test checks that this stays true.

export type {
  ChangeKind,
  ElementChange,
  InputSpec,
  PropertyPath,
  ResolvedNode,
  ResolvedOutput,
  ResolvedTemplate,
  TemplateDoc,
  TemplatePlan,
  TemplateProblem,
} from './types.js';
export { planTemplate, buildPlan, findCycles, documentDependencies } from './plan.js';
export { diffTemplates, type DiffOptions, type DiffTypeInfo } from './diff.js';
export { evaluateDeferred, isDeferred, deferredReferences, type AttributesOf, type AttributeReference } from './deferred.js';
export { maskResolvedTemplate, maskAttributes, maskSecretInputs, maskSecrets, SECRET_MASK } from './masking.js';
export { resolveTemplatePure, isDeployable, type ResolveResult } from './resolve.js';
export { resolveInputValues, immutableInputProblems } from './input-values.js';
export { getNodeType, listNodeTypes, registerNodeType, unregisterNodeType, isNodeTypeOf } from './catalog/index.js';
export { ProblemCode } from './problems.js';
