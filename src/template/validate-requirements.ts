// The requirements of a node template: one `name: node` pair each, names its type declares, nodes
// that exist and are of the type the requirement needs, and every required one given.
import { GENERIC_REQUIREMENT, getNodeType, isNodeTypeOf, type NodeTypeDef } from './catalog/index.js';
import { isPlainObject } from './json-values.js';
import { shownName, type PathSegment } from './path.js';
import { ProblemCode, suggestionHint } from './problems.js';
import type { TemplateCheck } from './validate-context.js';

export function checkRequirements(check: TemplateCheck, node: string, def: NodeTypeDef | undefined, requirements: unknown): void {
  const path: PathSegment[] = ['node_templates', node, 'requirements'];
  const seen = new Set<string>();
  const declared = def?.requirements ?? {};
  const allowedNames = [...Object.keys(declared), GENERIC_REQUIREMENT];
  if (Array.isArray(requirements)) {
    requirements.forEach((entry, index) => {
      const at = [...path, index];
      const keys = isPlainObject(entry) ? Object.keys(entry) : [];
      if (keys.length !== 1) {
        check.report.add(ProblemCode.INVALID_VALUE, at, 'each requirement is one `name: node` pair', 'write `- package: my-container` or `- package: {node: my-container}`');
        return;
      }
      const requirement = keys[0];
      const value = (entry as Record<string, unknown>)[requirement];
      const longForm = isPlainObject(value);
      const target = typeof value === 'string' ? value : longForm && typeof value.node === 'string' ? value.node : undefined;
      if (target === undefined) {
        check.report.add(ProblemCode.INVALID_VALUE, [...at, requirement], `requirement "${shownName(requirement)}" must name a node`, 'write `- package: my-container` or `- package: {node: my-container}`');
        return;
      }
      if (longForm) {
        for (const key of Object.keys(value)) {
          if (key !== 'node' && key !== 'relationship' && key !== 'capability') {
            check.report.add(ProblemCode.UNKNOWN_FIELD, [...at, requirement, key], `unknown field "${shownName(key)}" in requirement "${shownName(requirement)}"`, (budget) => suggestionHint(key, ['node', 'relationship', 'capability'], 'allowed', budget));
          }
        }
      }
      const targetPath = longForm ? [...at, requirement, 'node'] : [...at, requirement];
      if (def !== undefined && !allowedNames.includes(requirement)) {
        check.report.add(ProblemCode.UNKNOWN_FIELD, [...at, requirement], `type ${def.name} has no requirement "${shownName(requirement)}"`, (budget) => suggestionHint(requirement, allowedNames, 'requirements', budget));
      }
      if (requirement !== GENERIC_REQUIREMENT) {
        if (seen.has(requirement)) check.report.add(ProblemCode.INVALID_VALUE, [...at, requirement], `requirement "${shownName(requirement)}" is given more than once`);
        seen.add(requirement);
      }
      if (!Object.prototype.hasOwnProperty.call(check.nodes, target)) {
        check.report.add(ProblemCode.UNDEFINED_NODE, targetPath, `requirement "${shownName(requirement)}" names node "${shownName(target)}", which the template does not define`, (budget) => suggestionHint(target, Object.keys(check.nodes), 'nodes', budget));
        return;
      }
      const expectedType = declared[requirement]?.nodeType;
      const targetTemplate = check.nodes[target];
      const targetType = isPlainObject(targetTemplate) && typeof targetTemplate.type === 'string' ? targetTemplate.type : undefined;
      if (expectedType !== undefined && targetType !== undefined && getNodeType(targetType) !== undefined && !isNodeTypeOf(targetType, expectedType)) {
        check.report.add(ProblemCode.TYPE_MISMATCH, targetPath, `requirement "${shownName(requirement)}" needs a ${expectedType}, but "${shownName(target)}" is a ${shownName(targetType)}`);
      }
    });
  }
  for (const [requirement, spec] of Object.entries(declared)) {
    if (spec.required === true && !seen.has(requirement)) {
      check.report.add(
        ProblemCode.MISSING_FIELD,
        Array.isArray(requirements) ? path : ['node_templates', node],
        `"${shownName(node)}" needs a "${shownName(requirement)}" requirement naming a ${spec.nodeType}`,
        `add \`requirements: [{${requirement}: {node: <a ${spec.nodeType.split('.').pop()} node>}}]\``,
      );
    }
  }
}
