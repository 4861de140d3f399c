// The inputs section: known types, entry schemas, constraints that can be used, and defaults that
// fit their type and constraints.
import { constraintDefinitionIssues, constraintFailures } from './input-constraints.js';
import { INPUT_TYPES, SECRET_INPUT_TYPES, checkInputValue, entryTypeOf, isInputType } from './inputs.js';
import { isPlainObject } from './json-values.js';
import { shownName } from './path.js';
import { re2Patterns } from './patterns.js';
import { ProblemCode, suggestionHint } from './problems.js';
import { MAX_NAME_LENGTH, type TemplateCheck } from './validate-context.js';

export function checkInputs(check: TemplateCheck): void {
  const patterns = re2Patterns();
  for (const name of Object.keys(check.inputs)) {
    const declaration = check.inputs[name];
    const path = ['inputs', name];
    if (name.length > MAX_NAME_LENGTH) check.report.add(ProblemCode.INVALID_NAME, path, `input names are at most ${MAX_NAME_LENGTH} characters`);
    if (!isPlainObject(declaration) || typeof declaration.type !== 'string') continue;
    const type = declaration.type;
    if (!isInputType(type)) {
      check.report.add(ProblemCode.BAD_INPUT_TYPE, [...path, 'type'], `unknown input type "${shownName(type)}"`, (budget) => suggestionHint(type, INPUT_TYPES, 'input types', budget));
      continue;
    }
    const entryType = entryTypeOf(declaration);
    if (isPlainObject(declaration.entry_schema)) {
      if (type !== 'list' && type !== 'map') {
        check.report.add(ProblemCode.BAD_INPUT_TYPE, [...path, 'entry_schema'], `entry_schema applies to list and map inputs, not ${type}`);
      } else if (entryType === undefined && typeof declaration.entry_schema.type === 'string') {
        check.report.add(ProblemCode.BAD_INPUT_TYPE, [...path, 'entry_schema', 'type'], `entries of a ${type} must have a scalar type`, 'one of string, integer, float, boolean, password');
      }
    }
    let constraintsUsable = true;
    // A constraints value that is not a list is already reported by the structure check.
    if (Array.isArray(declaration.constraints)) {
      for (const issue of constraintDefinitionIssues(type, declaration.constraints, entryType, patterns)) {
        constraintsUsable = false;
        const at = issue.index >= 0 ? [...path, 'constraints', issue.index] : [...path, 'constraints'];
        check.report.add(ProblemCode.BAD_CONSTRAINT, at, issue.message, issue.hint);
      }
    }
    if (!Object.prototype.hasOwnProperty.call(declaration, 'default')) continue;
    const secret = SECRET_INPUT_TYPES.has(type);
    const checked = checkInputValue(type, declaration.default, { coerce: false, entryType });
    if (!checked.ok) {
      check.report.add(ProblemCode.BAD_DEFAULT, [...path, 'default'], `default of input "${shownName(name)}": ${secret ? `expected ${type} text` : checked.message}`);
    } else if (constraintsUsable) {
      for (const failure of constraintFailures(declaration.default, declaration.constraints, secret, patterns)) {
        check.report.add(ProblemCode.BAD_DEFAULT, [...path, 'default'], `default of input "${shownName(name)}" breaks its constraints: ${failure}`);
      }
    }
  }
}
