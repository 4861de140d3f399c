// Validation of a parsed template: every problem at once, each with a path and (given the source map)
// a line and column. Structure and node properties are checked by JSON Schema (ajv); references,
// functions, inputs and cycles by hand, because their messages need to name what exists.
//
// This file puts the checks in order; each section has its own file: validate-structure (the
// document schema and ajv), validate-inputs, validate-nodes, validate-requirements and
// validate-functions. schema-errors turns ajv's errors into problems; problem-reporter collects them.
import { getNodeType } from './catalog/index.js';
import { forEachFunctionCall } from './functions.js';
import { MAX_INPUTS } from './inputs.js';
import { atOrUnder, pointerOf } from './json-pointer.js';
import { isPlainObject } from './json-values.js';
import { formatPath, shownName, type PathSegment } from './path.js';
import { buildPlan, documentDependencies, requirementTargets } from './plan.js';
import { Reporter } from './problem-reporter.js';
import { MAX_PROBLEMS, ProblemCode, sortProblems } from './problems.js';
import { reportSchemaErrors, type SchemaErrorContext } from './schema-errors.js';
import type { SourceMap } from './source-map.js';
import type { ResolvedTemplate, TemplateProblem } from './types.js';
import { MAX_NAME_LENGTH, templateCheck, type TemplateCheck } from './validate-context.js';
import { checkFunction } from './validate-functions.js';
import { checkInputs } from './validate-inputs.js';
import { checkNodes } from './validate-nodes.js';
import { documentSchema, propertyValidatorOf, validateDocumentStructure } from './validate-structure.js';

export { TOSCA_VERSION } from './validate-structure.js';
export const MAX_ELEMENTS = 1000;

/**
 * Validates a parsed document (the `doc` of parseTemplate). Never throws; problems come sorted by
 * position. The source map (from parseTemplate) adds line and column to every problem it can.
 */
export function validateTemplate(doc: unknown, sourceMap?: SourceMap): TemplateProblem[] {
  const report = new Reporter(sourceMap);
  if (!isPlainObject(doc)) {
    report.add(ProblemCode.NOT_A_MAPPING, [], 'the template must be a mapping of sections', 'start with "tosca_definitions_version: ctc_tosca_version_1_0"');
    return report.sorted();
  }
  checkTemplate(templateCheck(withoutOverlongNames(doc, report), report));
  return report.sorted();
}

const NAMED_SECTIONS = ['inputs', 'node_templates', 'outputs'] as const;

/**
 * The document with the entries of inputs, node_templates and outputs whose names are longer than
 * any valid name renamed to their first characters: every later problem about such an entry would
 * otherwise carry the whole name in its path. Such a name is itself a problem (INVALID_NAME).
 */
function withoutOverlongNames(doc: Record<string, unknown>, report: Reporter): Record<string, unknown> {
  let checked = doc;
  for (const section of NAMED_SECTIONS) {
    const entries = doc[section];
    if (!isPlainObject(entries) || !Object.keys(entries).some((name) => name.length > MAX_NAME_LENGTH)) continue;
    const renamed: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(entries)) {
      let key = name;
      if (name.length > MAX_NAME_LENGTH) {
        key = shownName(name);
        for (let count = 2; Object.prototype.hasOwnProperty.call(entries, key) || Object.prototype.hasOwnProperty.call(renamed, key); count++) key = `${shownName(name)}#${count}`;
        // Node template names get their own INVALID_NAME below (the shortened name is not valid either).
        if (section !== 'node_templates') report.add(ProblemCode.INVALID_NAME, [section, name], `${section.slice(0, -1)} names are at most ${MAX_NAME_LENGTH} characters`);
      }
      Object.defineProperty(renamed, key, { value: entry, enumerable: true, writable: true, configurable: true });
    }
    checked = { ...checked, [section]: renamed };
  }
  return checked;
}

function checkTemplate(check: TemplateCheck): void {
  reportSchemaErrors(validateDocumentStructure(check.doc), { base: [], root: check.doc, schema: documentSchema, valueCode: ProblemCode.INVALID_VALUE }, check.report);
  // Past the design limits, the count is the problem: checking each of 30 000 node templates (or
  // compiling the patterns of 5 000 inputs) would cost much and tell little.
  const inputCount = Object.keys(check.inputs).length;
  if (inputCount > MAX_INPUTS) {
    check.report.add(ProblemCode.TOO_MANY_INPUTS, ['inputs'], `the template declares ${inputCount} inputs; at most ${MAX_INPUTS} are allowed`, 'group related settings into a map input');
  } else checkInputs(check);
  const nodeCount = Object.keys(check.nodes).length;
  if (nodeCount > MAX_ELEMENTS) {
    check.report.add(ProblemCode.TOO_MANY_ELEMENTS, ['node_templates'], `the template has ${nodeCount} node templates; at most ${MAX_ELEMENTS} are allowed`, 'split the application into several stacks');
    return;
  }
  checkNodes(check);
  checkOutputs(check);
  checkCycles(check);
}

function checkOutputs(check: TemplateCheck): void {
  for (const [name, output] of Object.entries(check.outputs)) {
    if (name.length > MAX_NAME_LENGTH) check.report.add(ProblemCode.INVALID_NAME, ['outputs', name], `output names are at most ${MAX_NAME_LENGTH} characters`);
    if (!isPlainObject(output) || !Object.prototype.hasOwnProperty.call(output, 'value')) continue;
    forEachFunctionCall(output.value, (call, path) => {
      const at = ['outputs', name, 'value', ...path];
      checkFunction(check, call, at, { where: formatPath(at) });
    });
  }
}

function checkCycles(check: TemplateCheck): void {
  const plan = buildPlan(documentDependencies(check.doc));
  for (const cycle of plan.cycles) {
    const [first] = cycle;
    const target = cycle[1] ?? first;
    const requirement = isPlainObject(check.nodes[first]) ? requirementTargets(check.nodes[first].requirements).find((entry) => entry.node === target) : undefined;
    const path: PathSegment[] = requirement ? ['node_templates', first, 'requirements', requirement.index] : ['node_templates', first];
    check.report.add(
      ProblemCode.CYCLE,
      path,
      cycle.length === 1 ? `"${shownName(first)}" depends on itself` : `dependency cycle: ${[...cycle, first].join(' → ')}`,
      'remove one of these requirements or get_attribute/get_property references',
    );
  }
}

/**
 * Checks resolved properties against their types' schemas: input values can break a schema that
 * the template alone satisfied (`instances: {get_input: n}` with n = -1). Deferred values are skipped.
 */
export function checkResolvedProperties(resolved: ResolvedTemplate): TemplateProblem[] {
  const report = new Reporter(undefined);
  for (const [node, resolvedNode] of Object.entries(resolved.nodes)) {
    const def = getNodeType(resolvedNode.type);
    if (def === undefined) continue;
    const validator = propertyValidatorOf(def);
    if (validator instanceof Error || validator(resolvedNode.properties)) continue;
    const deferredPointers = new Set<string>();
    forEachFunctionCall(resolvedNode.properties, (_call, path) => deferredPointers.add(pointerOf(path)));
    const secretPointers = new Set((resolvedNode.secretPaths ?? []).map(pointerOf));
    const context: SchemaErrorContext = {
      base: ['node_templates', node, 'properties'],
      root: resolvedNode.properties,
      schema: def.properties,
      valueCode: ProblemCode.INVALID_PROPERTY,
      hideValues: (path) => atOrUnder(pointerOf(path), secretPointers),
    };
    reportSchemaErrors(validator.errors ?? [], context, report, (error) => atOrUnder(error.instancePath, deferredPointers));
  }
  return sortProblems(
    report.problems.map((problem) => ({ ...problem, message: `${problem.message} (after inputs were applied)` })),
    MAX_PROBLEMS,
    report.uncounted,
  );
}
