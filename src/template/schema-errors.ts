// ajv's errors as problems a template author can act on: the field named as the author wrote it,
// what is allowed, and a did-you-mean where one can be found.
import type { ErrorObject } from 'ajv';
import { listNodeTypes, type JsonSchema } from './catalog/index.js';
import { FUNCTION_NAMES } from './functions.js';
import { INPUT_TYPES } from './inputs.js';
import { pointerTarget, schemaHolding } from './json-pointer.js';
import { isPlainObject, jsonTypeOf, preview, type JsonType } from './json-values.js';
import { shownName, type PathSegment } from './path.js';
import type { Reporter } from './problem-reporter.js';
import { MAX_COLLECTED_SCHEMA_ERRORS, ProblemCode, closestName, suggestionHint } from './problems.js';
import { describeJsonTypes } from './schema-walk.js';
import { TOSCA_VERSION } from './validate-structure.js';

const MISSING_FIELD_HINTS: Record<string, string> = {
  tosca_definitions_version: `add "tosca_definitions_version: ${TOSCA_VERSION}" as the first line`,
  node_templates: 'add a "node_templates:" section with at least one node template',
  value: 'an output needs a value, e.g. `value: {get_attribute: [app, endpoints]}`',
};

function fieldName(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  return last === undefined ? 'the template' : typeof last === 'number' ? `item ${last}` : shownName(last);
}

/** A hint for a value that looks like a misspelt intrinsic function (`{get_inputs: x}`). */
function functionTypoHint(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || (FUNCTION_NAMES as readonly string[]).includes(keys[0])) return undefined;
  const close = closestName(keys[0], FUNCTION_NAMES);
  return close !== undefined && /^(get|con|joi)/i.test(keys[0]) ? `did you mean the function "${close}"?` : undefined;
}

export interface SchemaErrorContext {
  /** Where the validated value sits in the document. */
  base: PathSegment[];
  /** The validated value, to tell list indexes from keys in error paths. */
  root: unknown;
  /** The schema it was validated against (to find what an error's keyword allows). */
  schema: JsonSchema;
  /** Code for a value that breaks the schema. */
  valueCode: string;
  /** Do not show values at these paths (secrets). */
  hideValues?: (path: PathSegment[]) => boolean;
}

function schemaErrorProblem(error: ErrorObject, context: SchemaErrorContext, report: Reporter): void {
  const { segments: relative, data } = pointerTarget(error.instancePath, context.root);
  const path = [...context.base, ...relative];
  const params = error.params as Record<string, unknown>;
  const hidden = context.hideValues?.(relative) === true;
  // A preview is written only for the keywords that show one, and is cut as it is written.
  const got = (): string => (hidden ? '' : `, got ${preview(data, 40)}`);
  const name = fieldName(path);
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const owner = ownerOf(path);
      const what = context.valueCode === ProblemCode.INVALID_PROPERTY ? 'property' : 'field';
      report.add(ProblemCode.MISSING_FIELD, [...path, missing], `${owner} needs ${what} "${missing}"`, MISSING_FIELD_HINTS[missing] ?? missingFieldHint(path, missing));
      return;
    }
    case 'additionalProperties': {
      const unknown = String(params.additionalProperty);
      const where = path.length === 0 ? 'section' : context.valueCode === ProblemCode.INVALID_PROPERTY ? 'property' : 'field';
      report.add(ProblemCode.UNKNOWN_FIELD, [...path, unknown], `unknown ${where} "${shownName(unknown)}"${path.length > 0 ? ` of ${ownerOf(path)}` : ''}`, (budget) => {
        const holder = schemaHolding(error.schemaPath, context.schema);
        return suggestionHint(unknown, isPlainObject(holder?.properties) ? Object.keys(holder.properties) : [], 'allowed', budget);
      });
      return;
    }
    case 'const':
      if (path.length === 1 && path[0] === 'tosca_definitions_version') {
        report.add(ProblemCode.BAD_VERSION, path, `unsupported tosca_definitions_version ${preview(data, 40)}`, `use "${TOSCA_VERSION}"`);
      } else {
        report.add(context.valueCode, path, `${name} must be ${preview(params.allowedValue, 40)}${got()}`);
      }
      return;
    case 'type': {
      const expected = Array.isArray(params.type) ? (params.type as JsonType[]) : [String(params.type) as JsonType];
      const code = context.valueCode === ProblemCode.INVALID_VALUE && expected[0] === 'object' ? ProblemCode.NOT_A_MAPPING : context.valueCode;
      report.add(code, path, `${name} must be ${describeJsonTypes(expected.filter((type) => type !== 'null'))}${hidden ? '' : `, got ${describeJsonTypes([jsonTypeOf(data)])}`}`, functionTypoHint(data));
      return;
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      report.add(context.valueCode, path, `${name} must be one of ${allowed.map((value) => preview(value, 30)).join(', ')}${got()}`, (budget) => {
        const close = typeof data === 'string' && !hidden ? closestName(data, allowed.filter((value): value is string => typeof value === 'string'), budget) : undefined;
        return close !== undefined ? `did you mean "${close}"?` : functionTypoHint(data);
      });
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      report.add(context.valueCode, path, `${name} must be ${String(params.comparison)} ${String(params.limit)}${got()}`);
      return;
    case 'minLength':
    case 'maxLength':
      report.add(context.valueCode, path, `${name} must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters long`);
      return;
    case 'minItems':
    case 'maxItems':
      report.add(context.valueCode, path, `${name} must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items`);
      return;
    case 'minProperties':
      report.add(context.valueCode, path, `${name} must have at least ${String(params.limit)} ${path.length === 1 && path[0] === 'node_templates' ? 'node template' : 'entry'}`, path[0] === 'node_templates' ? MISSING_FIELD_HINTS.node_templates : undefined);
      return;
    case 'pattern':
      report.add(context.valueCode, path, `${name} must match the pattern ${String(params.pattern)}${got()}`);
      return;
    default:
      report.add(context.valueCode, path, `${name} ${error.message ?? 'is not valid'}${got()}`);
  }
}

/** How a message names the mapping at `path`: `node "web"`, `input "image"`, `"package"`. */
function ownerOf(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the template';
  const [section, name] = path;
  if (path.length === 3 && section === 'node_templates' && path[2] === 'properties') return `node "${shownName(String(name))}"`;
  if (path.length === 2 && (section === 'node_templates' || section === 'inputs' || section === 'outputs')) {
    return `${section === 'node_templates' ? 'node' : section.slice(0, -1)} "${shownName(String(name))}"`;
  }
  return `"${fieldName(path)}"`;
}

function missingFieldHint(path: readonly PathSegment[], missing: string): string | undefined {
  if (missing === 'type' && path[0] === 'inputs') return `add "type:" — one of ${INPUT_TYPES.join(', ')}`;
  if (missing === 'type' && path[0] === 'node_templates') return `add "type:" — one of ${listNodeTypes().map((def) => def.name).join(', ')}`;
  return undefined;
}

/**
 * Reports the schema errors of one validation; past MAX_COLLECTED_SCHEMA_ERRORS of them, or once
 * the reporter is full, the rest are only counted.
 */
export function reportSchemaErrors(errors: readonly ErrorObject[], context: SchemaErrorContext, report: Reporter, skip?: (error: ErrorObject) => boolean): void {
  let built = 0;
  for (let i = 0; i < errors.length; i++) {
    if (report.full || built >= MAX_COLLECTED_SCHEMA_ERRORS) {
      report.uncounted += errors.length - i;
      return;
    }
    if (skip?.(errors[i]) === true) continue;
    schemaErrorProblem(errors[i], context, report);
    built++;
  }
}
