// The input values a stack is given, checked against the template's declarations (defaults
// applied, text converted where it spells the type), and the immutable ones an update would change.
import { constraintFailures, type PatternEngine } from './input-constraints.js';
import { checkInputValue, entryTypeOf, inputSpecsOf } from './inputs.js';
import { cloneJson, deepEqual, isPlainObject } from './json-values.js';
import { ProblemCode, closestName, problemAt } from './problems.js';
import type { InputSpec, TemplateProblem } from './types.js';

/**
 * Checks input values against the declarations and applies defaults. Unknown names, missing
 * required inputs, wrong types and failed constraints are problems at `inputs.<name>`.
 * Values may be given as text ("3", "true"): they are converted when they spell the type exactly.
 * An input that is not required and has no default resolves to null.
 */
export function resolveInputValues(
  doc: unknown,
  given: Record<string, unknown>,
  patterns?: PatternEngine,
): { values: Record<string, unknown>; specs: InputSpec[]; problems: TemplateProblem[] } {
  const specs = inputSpecsOf(doc);
  const declarations = isPlainObject(doc) && isPlainObject(doc.inputs) ? doc.inputs : {};
  const problems: TemplateProblem[] = [];
  const values: Record<string, unknown> = {};
  const names = specs.map((spec) => spec.name);
  const provided = isPlainObject(given) ? given : {};
  for (const name of Object.keys(provided)) {
    if (!names.includes(name)) {
      const close = closestName(name, names);
      problems.push(problemAt(ProblemCode.UNKNOWN_INPUT, ['inputs', name], `the template has no input "${name}"`, close ? `did you mean "${close}"?` : names.length > 0 ? `inputs: ${names.join(', ')}` : 'the template declares no inputs'));
    }
  }
  for (const spec of specs) {
    const path = ['inputs', spec.name];
    const value = provided[spec.name];
    if (value === undefined || value === null) {
      if (spec.default !== undefined) values[spec.name] = cloneJson(spec.default);
      else if (spec.required) {
        problems.push(problemAt(ProblemCode.MISSING_INPUT, path, `input "${spec.name}" is required`, `give a ${spec.type} value${spec.description ? ` (${spec.description})` : ''}`));
      } else values[spec.name] = null;
      continue;
    }
    const checked = checkInputValue(spec.type, value, { coerce: true, entryType: entryTypeOf(declarations[spec.name]) });
    if (!checked.ok) {
      problems.push(problemAt(ProblemCode.TYPE_MISMATCH, path, `input "${spec.name}": ${spec.secret ? `expected ${spec.type} text` : checked.message}`));
      continue;
    }
    const failures = constraintFailures(checked.value, spec.constraints, spec.secret, patterns);
    for (const failure of failures) problems.push(problemAt(ProblemCode.CONSTRAINT_FAILED, path, `input "${spec.name}": ${failure}`));
    if (failures.length === 0) values[spec.name] = checked.value;
  }
  return { values, specs, problems };
}

/** Problems for immutable inputs whose value an update would change. */
export function immutableInputProblems(doc: unknown, previous: Record<string, unknown>, next: Record<string, unknown>): TemplateProblem[] {
  return inputSpecsOf(doc)
    .filter((spec) => spec.immutable && Object.prototype.hasOwnProperty.call(previous, spec.name) && !deepEqual(previous[spec.name], next[spec.name]))
    .map((spec) => problemAt(ProblemCode.IMMUTABLE_INPUT, ['inputs', spec.name], `input "${spec.name}" is immutable: it cannot change once the stack exists`, 'create a new stack to use another value'));
}
