// Validation of a parsed template: every problem at once, each with a path and (given the source map)
// a line and column. Structure and node properties are checked by JSON Schema (ajv); references,
// functions, inputs and cycles by hand, because their messages need to name what exists.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  GENERIC_REQUIREMENT,
  declaredPropertyNames,
  getNodeType,
  isNodeTypeOf,
  listNodeTypes,
  type JsonSchema,
  type NodeTypeDef,
} from './catalog/index.js';
import {
  FUNCTION_NAMES,
  SELF,
  asFunctionCall,
  concatParts,
  forEachFunctionCall,
  inputReference,
  joinArguments,
  nodeReference,
  type FunctionCall,
} from './functions.js';
import {
  INPUT_TYPES,
  MAX_INPUTS,
  SECRET_INPUT_TYPES,
  checkInputValue,
  constraintDefinitionIssues,
  constraintFailures,
  entryTypeOf,
  isInputType,
  jsonTypeOfInput,
  type PatternEngine,
} from './inputs.js';
import { isPlainObject, jsonTypeOf, preview, type JsonType } from './json-values.js';
import { formatPath, shownName, type PathSegment } from './path.js';
import { re2Patterns } from './patterns.js';
import { buildPlan, documentDependencies, requirementTargets } from './plan.js';
import { MAX_COLLECTED_PROBLEMS, MAX_COLLECTED_SCHEMA_ERRORS, MAX_PROBLEMS, ProblemCode, closestName, sortProblems, suggestionHint, type FoundProblem } from './problems.js';
import { describeJsonTypes, expectedTypes, schemaAt, typeFits, writeOnlyAt } from './schema-walk.js';
import type { SourceMap } from './source-map.js';
import type { ResolvedTemplate, TemplateProblem } from './types.js';

export const TOSCA_VERSION = 'ctc_tosca_version_1_0';
export const MAX_ELEMENTS = 1000;
export const SECTIONS = ['tosca_definitions_version', 'description', 'metadata', 'inputs', 'node_templates', 'outputs'] as const;

const NODE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const MAX_NAME_LENGTH = 128;

const documentSchema = {
  type: 'object',
  required: ['tosca_definitions_version', 'node_templates'],
  additionalProperties: false,
  properties: {
    tosca_definitions_version: { const: TOSCA_VERSION },
    description: { type: 'string' },
    metadata: { type: ['object', 'null'] },
    inputs: {
      type: ['object', 'null'],
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          description: { type: 'string' },
          label: { type: 'string' },
          default: {},
          required: { type: 'boolean' },
          immutable: { type: 'boolean' },
          constraints: { type: 'array' },
          entry_schema: {
            type: 'object',
            required: ['type'],
            additionalProperties: false,
            properties: { type: { type: 'string' }, description: { type: 'string' } },
          },
        },
      },
    },
    node_templates: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          description: { type: 'string' },
          metadata: { type: ['object', 'null'] },
          properties: { type: ['object', 'null'] },
          requirements: { type: ['array', 'null'] },
        },
      },
    },
    outputs: {
      type: ['object', 'null'],
      additionalProperties: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: { value: {}, description: { type: 'string' } },
      },
    },
  },
};

const MISSING_FIELD_HINTS: Record<string, string> = {
  tosca_definitions_version: `add "tosca_definitions_version: ${TOSCA_VERSION}" as the first line`,
  node_templates: 'add a "node_templates:" section with at least one node template',
  value: 'an output needs a value, e.g. `value: {get_attribute: [app, endpoints]}`',
};

let ajvInstance: Ajv | undefined;
let documentValidator: ValidateFunction | undefined;
const propertyValidators = new WeakMap<NodeTypeDef, ValidateFunction | Error>();

function ajv(): Ajv {
  if (ajvInstance === undefined) {
    // strict: false: registered types (from tests or plugins) may carry annotation keywords ajv does not know.
    // No `verbose`: it hands every error its whole parent value; what a message needs is looked up
    // (only for the problems that need it) from the instance and schema paths instead.
    ajvInstance = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajvInstance);
  }
  return ajvInstance;
}

function validateDocumentStructure(doc: unknown): ErrorObject[] {
  documentValidator ??= ajv().compile(documentSchema);
  return documentValidator(doc) ? [] : [...(documentValidator.errors ?? [])];
}

/** The compiled property validator of a node type, or the reason its schema does not compile. */
export function propertyValidatorOf(def: NodeTypeDef): ValidateFunction | Error {
  let validator = propertyValidators.get(def);
  if (validator === undefined) {
    try {
      validator = ajv().compile(def.properties);
    } catch (error) {
      validator = error instanceof Error ? error : new Error(String(error));
    }
    propertyValidators.set(def, validator);
  }
  return validator;
}

function unescapePointer(raw: string): string {
  return raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw;
}

/** The path segments of a JSON pointer into `root`, and the value found there. */
function pointerTarget(pointer: string, root: unknown): { segments: PathSegment[]; data: unknown } {
  if (pointer === '') return { segments: [], data: root };
  const segments: PathSegment[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = unescapePointer(raw);
    if (Array.isArray(current)) {
      segments.push(Number(key));
      current = current[Number(key)];
    } else {
      segments.push(key);
      current = isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined;
    }
  }
  return { segments, data: current };
}

/** The schema holding the keyword an error names (`#/properties/package/additionalProperties` → the package schema). */
function schemaHolding(schemaPath: string, root: JsonSchema): JsonSchema | undefined {
  const parts = schemaPath.split('/');
  let current: unknown = root;
  for (let i = 1; i < parts.length - 1; i++) {
    const key = unescapePointer(parts[i]);
    current = Array.isArray(current) ? current[Number(key)] : isPlainObject(current) ? current[key] : undefined;
  }
  return isPlainObject(current) ? current : undefined;
}

function pointerOf(path: readonly PathSegment[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** True when the pointer is one of `pointers` or lies under one: one set lookup per level, not a scan. */
function atOrUnder(pointer: string, pointers: ReadonlySet<string>): boolean {
  if (pointers.size === 0) return false;
  if (pointers.has('')) return true;
  for (let end = pointer.length; end > 0; end = pointer.lastIndexOf('/', end - 1)) {
    if (pointers.has(end === pointer.length ? pointer : pointer.slice(0, end))) return true;
  }
  return false;
}

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

interface SchemaErrorContext {
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

class Reporter {
  readonly problems: FoundProblem[] = [];
  /** Problems found past MAX_COLLECTED_PROBLEMS: counted, not built. */
  uncounted = 0;

  constructor(private readonly sourceMap: SourceMap | undefined) {}

  get full(): boolean {
    return this.problems.length >= MAX_COLLECTED_PROBLEMS;
  }

  /** A hint given as a function is worked out only if the problem is among those listed. */
  add(code: string, path: readonly PathSegment[], message: string, hint?: FoundProblem['hint']): void {
    if (this.full) {
      this.uncounted++;
      return;
    }
    const problem: FoundProblem = { code, path: formatPath(path), message };
    const position = this.sourceMap?.locate(path);
    if (position) {
      problem.line = position.line;
      problem.column = position.column;
    }
    if (hint !== undefined) problem.hint = hint;
    this.problems.push(problem);
  }

  /** The problems found, sorted and capped (see sortProblems). */
  sorted(): TemplateProblem[] {
    return sortProblems(this.problems, MAX_PROBLEMS, this.uncounted);
  }
}

/**
 * Reports the schema errors of one validation; past MAX_COLLECTED_SCHEMA_ERRORS of them, or once
 * the reporter is full, the rest are only counted.
 */
function reportSchemaErrors(errors: readonly ErrorObject[], context: SchemaErrorContext, report: Reporter, skip?: (error: ErrorObject) => boolean): void {
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

/** What a function call produces, when that can be told before deployment. */
interface FunctionContext {
  /** The node whose properties hold the call (SELF refers to it); absent in outputs. */
  node?: string;
  /** JSON types the location accepts, from the node type's schema. */
  expected?: Set<JsonType>;
  /** Where the value is used, for messages. */
  where: string;
}

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
  new TemplateChecker(withoutOverlongNames(doc, report), report).run();
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

class TemplateChecker {
  private readonly inputs: Record<string, unknown>;
  private readonly nodes: Record<string, unknown>;
  private readonly outputs: Record<string, unknown>;

  constructor(
    private readonly doc: Record<string, unknown>,
    private readonly report: Reporter,
  ) {
    this.inputs = isPlainObject(doc.inputs) ? doc.inputs : {};
    this.nodes = isPlainObject(doc.node_templates) ? doc.node_templates : {};
    this.outputs = isPlainObject(doc.outputs) ? doc.outputs : {};
  }

  run(): void {
    reportSchemaErrors(validateDocumentStructure(this.doc), { base: [], root: this.doc, schema: documentSchema, valueCode: ProblemCode.INVALID_VALUE }, this.report);
    // Past the design limits, the count is the problem: checking each of 30 000 node templates (or
    // compiling the patterns of 5 000 inputs) would cost much and tell little.
    const inputCount = Object.keys(this.inputs).length;
    if (inputCount > MAX_INPUTS) {
      this.report.add(ProblemCode.TOO_MANY_INPUTS, ['inputs'], `the template declares ${inputCount} inputs; at most ${MAX_INPUTS} are allowed`, 'group related settings into a map input');
    } else this.checkInputs();
    const nodeCount = Object.keys(this.nodes).length;
    if (nodeCount > MAX_ELEMENTS) {
      this.report.add(ProblemCode.TOO_MANY_ELEMENTS, ['node_templates'], `the template has ${nodeCount} node templates; at most ${MAX_ELEMENTS} are allowed`, 'split the application into several stacks');
      return;
    }
    this.checkNodes();
    this.checkOutputs();
    this.checkCycles();
  }

  private nodeType(name: string): NodeTypeDef | undefined {
    const template = this.nodes[name];
    return isPlainObject(template) && typeof template.type === 'string' ? getNodeType(template.type) : undefined;
  }

  private checkInputs(): void {
    const patterns = re2Patterns();
    for (const name of Object.keys(this.inputs)) {
      const declaration = this.inputs[name];
      const path = ['inputs', name];
      if (name.length > MAX_NAME_LENGTH) this.report.add(ProblemCode.INVALID_NAME, path, `input names are at most ${MAX_NAME_LENGTH} characters`);
      if (!isPlainObject(declaration) || typeof declaration.type !== 'string') continue;
      const type = declaration.type;
      if (!isInputType(type)) {
        this.report.add(ProblemCode.BAD_INPUT_TYPE, [...path, 'type'], `unknown input type "${shownName(type)}"`, (budget) => suggestionHint(type, INPUT_TYPES, 'input types', budget));
        continue;
      }
      const entryType = entryTypeOf(declaration);
      if (isPlainObject(declaration.entry_schema)) {
        if (type !== 'list' && type !== 'map') {
          this.report.add(ProblemCode.BAD_INPUT_TYPE, [...path, 'entry_schema'], `entry_schema applies to list and map inputs, not ${type}`);
        } else if (entryType === undefined && typeof declaration.entry_schema.type === 'string') {
          this.report.add(ProblemCode.BAD_INPUT_TYPE, [...path, 'entry_schema', 'type'], `entries of a ${type} must have a scalar type`, 'one of string, integer, float, boolean, password');
        }
      }
      let constraintsUsable = true;
      // A constraints value that is not a list is already reported by the structure check.
      if (Array.isArray(declaration.constraints)) {
        for (const issue of constraintDefinitionIssues(type, declaration.constraints, entryType, patterns)) {
          constraintsUsable = false;
          const at = issue.index >= 0 ? [...path, 'constraints', issue.index] : [...path, 'constraints'];
          this.report.add(ProblemCode.BAD_CONSTRAINT, at, issue.message, issue.hint);
        }
      }
      if (!Object.prototype.hasOwnProperty.call(declaration, 'default')) continue;
      const secret = SECRET_INPUT_TYPES.has(type);
      const checked = checkInputValue(type, declaration.default, { coerce: false, entryType });
      if (!checked.ok) {
        this.report.add(ProblemCode.BAD_DEFAULT, [...path, 'default'], `default of input "${shownName(name)}": ${secret ? `expected ${type} text` : checked.message}`);
      } else if (constraintsUsable) {
        for (const failure of constraintFailures(declaration.default, declaration.constraints, secret, patterns)) {
          this.report.add(ProblemCode.BAD_DEFAULT, [...path, 'default'], `default of input "${shownName(name)}" breaks its constraints: ${failure}`);
        }
      }
    }
  }

  private checkNodes(): void {
    const names = Object.keys(this.nodes);
    const typeNames = listNodeTypes().map((def) => def.name);
    for (const name of names) {
      const template = this.nodes[name];
      const path: PathSegment[] = ['node_templates', name];
      if (!NODE_NAME.test(name) || name === SELF) {
        this.report.add(
          ProblemCode.INVALID_NAME,
          path,
          name === SELF ? '"SELF" is reserved and cannot name a node template' : `node template name "${preview(name, 40)}" is not allowed`,
          'start with a letter; use letters, digits, "-" and "_"; at most 63 characters',
        );
      }
      if (!isPlainObject(template) || typeof template.type !== 'string') continue;
      const typeName = template.type;
      const def = getNodeType(typeName);
      if (def === undefined) {
        this.report.add(ProblemCode.UNKNOWN_TYPE, [...path, 'type'], `unknown node type "${shownName(typeName)}"`, (budget) => suggestionHint(typeName, typeNames, 'known types', budget));
        // Without a schema the properties cannot be checked, but their references still can.
        forEachFunctionCall(template.properties, (call, at) => {
          const where = [...path, 'properties', ...at];
          this.checkFunction(call, where, { node: name, where: formatPath(where) });
        });
      } else {
        this.checkProperties(name, def, template.properties ?? {});
      }
      this.checkRequirements(name, def, template.requirements);
    }
  }

  private checkProperties(node: string, def: NodeTypeDef, properties: unknown): void {
    const base: PathSegment[] = ['node_templates', node, 'properties'];
    if (!isPlainObject(properties)) return;
    const validator = propertyValidatorOf(def);
    if (validator instanceof Error) {
      this.report.add(ProblemCode.INVALID_PROPERTY, base, `the schema of type ${def.name} cannot be used: ${validator.message}`, 'fix the type definition in the catalog');
      return;
    }
    const calls: Array<{ call: FunctionCall; path: PathSegment[] }> = [];
    forEachFunctionCall(properties, (call, path) => calls.push({ call, path }));
    const callPointers = new Set(calls.map(({ path }) => pointerOf(path)));
    if (!validator(properties)) {
      const context: SchemaErrorContext = {
        base,
        root: properties,
        schema: def.properties,
        valueCode: ProblemCode.INVALID_PROPERTY,
        hideValues: (path) => writeOnlyAt(def.properties, path),
      };
      // A function's value is known only later: the schema sees the call object, so its errors at
      // or under the call are replaced by the type check of the function below.
      reportSchemaErrors(validator.errors ?? [], context, this.report, (error) => atOrUnder(error.instancePath, callPointers));
    }
    for (const { call, path } of calls) {
      this.checkFunction(call, [...base, ...path], { node, expected: expectedTypes(schemaAt(def.properties, path)), where: formatPath([...base, ...path]) });
    }
  }

  private checkRequirements(node: string, def: NodeTypeDef | undefined, requirements: unknown): void {
    const path: PathSegment[] = ['node_templates', node, 'requirements'];
    const seen = new Set<string>();
    const declared = def?.requirements ?? {};
    const allowedNames = [...Object.keys(declared), GENERIC_REQUIREMENT];
    if (Array.isArray(requirements)) {
      requirements.forEach((entry, index) => {
        const at = [...path, index];
        const keys = isPlainObject(entry) ? Object.keys(entry) : [];
        if (keys.length !== 1) {
          this.report.add(ProblemCode.INVALID_VALUE, at, 'each requirement is one `name: node` pair', 'write `- package: my-container` or `- package: {node: my-container}`');
          return;
        }
        const requirement = keys[0];
        const value = (entry as Record<string, unknown>)[requirement];
        const longForm = isPlainObject(value);
        const target = typeof value === 'string' ? value : longForm && typeof value.node === 'string' ? value.node : undefined;
        if (target === undefined) {
          this.report.add(ProblemCode.INVALID_VALUE, [...at, requirement], `requirement "${shownName(requirement)}" must name a node`, 'write `- package: my-container` or `- package: {node: my-container}`');
          return;
        }
        if (longForm) {
          for (const key of Object.keys(value)) {
            if (key !== 'node' && key !== 'relationship' && key !== 'capability') {
              this.report.add(ProblemCode.UNKNOWN_FIELD, [...at, requirement, key], `unknown field "${shownName(key)}" in requirement "${shownName(requirement)}"`, (budget) => suggestionHint(key, ['node', 'relationship', 'capability'], 'allowed', budget));
            }
          }
        }
        const targetPath = longForm ? [...at, requirement, 'node'] : [...at, requirement];
        if (def !== undefined && !allowedNames.includes(requirement)) {
          this.report.add(ProblemCode.UNKNOWN_FIELD, [...at, requirement], `type ${def.name} has no requirement "${shownName(requirement)}"`, (budget) => suggestionHint(requirement, allowedNames, 'requirements', budget));
        }
        if (requirement !== GENERIC_REQUIREMENT) {
          if (seen.has(requirement)) this.report.add(ProblemCode.INVALID_VALUE, [...at, requirement], `requirement "${shownName(requirement)}" is given more than once`);
          seen.add(requirement);
        }
        if (!Object.prototype.hasOwnProperty.call(this.nodes, target)) {
          this.report.add(ProblemCode.UNDEFINED_NODE, targetPath, `requirement "${shownName(requirement)}" names node "${shownName(target)}", which the template does not define`, (budget) => suggestionHint(target, Object.keys(this.nodes), 'nodes', budget));
          return;
        }
        const expectedType = declared[requirement]?.nodeType;
        const targetTemplate = this.nodes[target];
        const targetType = isPlainObject(targetTemplate) && typeof targetTemplate.type === 'string' ? targetTemplate.type : undefined;
        if (expectedType !== undefined && targetType !== undefined && getNodeType(targetType) !== undefined && !isNodeTypeOf(targetType, expectedType)) {
          this.report.add(ProblemCode.TYPE_MISMATCH, targetPath, `requirement "${shownName(requirement)}" needs a ${expectedType}, but "${shownName(target)}" is a ${shownName(targetType)}`);
        }
      });
    }
    for (const [requirement, spec] of Object.entries(declared)) {
      if (spec.required === true && !seen.has(requirement)) {
        this.report.add(
          ProblemCode.MISSING_FIELD,
          Array.isArray(requirements) ? path : ['node_templates', node],
          `"${shownName(node)}" needs a "${shownName(requirement)}" requirement naming a ${spec.nodeType}`,
          `add \`requirements: [{${requirement}: {node: <a ${spec.nodeType.split('.').pop()} node>}}]\``,
        );
      }
    }
  }

  private checkOutputs(): void {
    for (const [name, output] of Object.entries(this.outputs)) {
      if (name.length > MAX_NAME_LENGTH) this.report.add(ProblemCode.INVALID_NAME, ['outputs', name], `output names are at most ${MAX_NAME_LENGTH} characters`);
      if (!isPlainObject(output) || !Object.prototype.hasOwnProperty.call(output, 'value')) continue;
      forEachFunctionCall(output.value, (call, path) => {
        const at = ['outputs', name, 'value', ...path];
        this.checkFunction(call, at, { where: formatPath(at) });
      });
    }
  }

  private checkFunction(call: FunctionCall, at: PathSegment[], context: FunctionContext): void {
    const argsPath = [...at, call.name];
    switch (call.name) {
      case 'get_input': {
        const reference = inputReference(call.args);
        if (!reference.ok) {
          this.report.add(ProblemCode.BAD_FUNCTION, argsPath, reference.message, reference.hint);
          return;
        }
        const declaration = this.inputs[reference.value.input];
        if (!Object.prototype.hasOwnProperty.call(this.inputs, reference.value.input)) {
          const namePath = Array.isArray(call.args) ? [...argsPath, 0] : argsPath;
          this.report.add(ProblemCode.UNDEFINED_INPUT, namePath, `input "${shownName(reference.value.input)}" is not declared`, (budget) => suggestionHint(reference.value.input, Object.keys(this.inputs), 'inputs', budget));
          return;
        }
        if (reference.value.path.length > 0 || !isPlainObject(declaration) || typeof declaration.type !== 'string') return;
        const produced = jsonTypeOfInput(declaration.type);
        if (produced !== undefined && context.expected !== undefined && !typeFits(produced, context.expected)) {
          this.report.add(
            ProblemCode.TYPE_MISMATCH,
            at,
            `${context.where} expects ${describeJsonTypes(context.expected)}, but input "${shownName(reference.value.input)}" is of type ${declaration.type}`,
            `declare the input as ${suggestInputType(context.expected)}, or use another input`,
          );
        }
        return;
      }
      case 'get_attribute':
      case 'get_property': {
        const reference = nodeReference(call.name, call.args);
        if (!reference.ok) {
          this.report.add(ProblemCode.BAD_FUNCTION, argsPath, reference.message, reference.hint);
          return;
        }
        const { node: named, name } = reference.value;
        if (named === SELF && (call.name === 'get_attribute' || context.node === undefined)) {
          this.report.add(
            ProblemCode.BAD_FUNCTION,
            [...argsPath, 0],
            call.name === 'get_attribute' ? 'get_attribute cannot read SELF: a node\'s own attributes exist only after it is deployed' : 'SELF means the node holding the value; outputs belong to no node',
            call.name === 'get_attribute' ? 'use get_property for the node\'s own settings' : 'name the node instead of SELF',
          );
          return;
        }
        const node = named === SELF ? context.node! : named;
        if (!Object.prototype.hasOwnProperty.call(this.nodes, node)) {
          this.report.add(ProblemCode.UNDEFINED_NODE, [...argsPath, 0], `${call.name} names node "${shownName(node)}", which the template does not define`, (budget) => suggestionHint(node, Object.keys(this.nodes), 'nodes', budget));
          return;
        }
        const def = this.nodeType(node);
        if (def === undefined) return;
        if (call.name === 'get_attribute') {
          const attributes = Object.keys(def.attributes);
          const attribute = def.attributes[name];
          if (attribute === undefined || !Object.prototype.hasOwnProperty.call(def.attributes, name)) {
            this.report.add(
              ProblemCode.UNDEFINED_ATTRIBUTE,
              [...argsPath, 1],
              `type ${def.name} (node "${shownName(node)}") has no attribute "${shownName(name)}"`,
              attributes.length === 0 ? `${def.name} has no attributes${def.deployable ? '' : ' (it is deployed as part of the node that requires it)'}` : (budget) => suggestionHint(name, attributes, 'attributes', budget),
            );
            return;
          }
          if (reference.value.path.length === 0 && attribute.type !== undefined && context.expected !== undefined && !typeFits(attribute.type, context.expected)) {
            this.report.add(ProblemCode.TYPE_MISMATCH, at, `${context.where} expects ${describeJsonTypes(context.expected)}, but attribute "${shownName(name)}" of "${shownName(node)}" is ${describeJsonTypes([attribute.type])}`);
          }
          return;
        }
        this.checkPropertyReference(node, def, name, reference.value.path, [...argsPath, 1], at, context);
        return;
      }
      case 'concat': {
        const parts = concatParts(call.args);
        if (!parts.ok) {
          this.report.add(ProblemCode.BAD_FUNCTION, argsPath, parts.message, parts.hint);
          return;
        }
        this.checkProducesText(at, context);
        parts.value.forEach((part, index) => this.checkNestedPart(part, [...argsPath, index], context));
        return;
      }
      case 'join': {
        const joined = joinArguments(call.args);
        if (!joined.ok) {
          this.report.add(ProblemCode.BAD_FUNCTION, argsPath, joined.message, joined.hint);
          return;
        }
        this.checkProducesText(at, context);
        if (Array.isArray(joined.value.parts)) joined.value.parts.forEach((part, index) => this.checkNestedPart(part, [...argsPath, 0, index], context));
        else this.checkFunction(joined.value.parts, [...argsPath, 0], { node: context.node, expected: new Set(['array']), where: 'the list of join' });
      }
    }
  }

  private checkProducesText(at: PathSegment[], context: FunctionContext): void {
    if (context.expected !== undefined && !context.expected.has('string')) {
      this.report.add(ProblemCode.TYPE_MISMATCH, at, `${context.where} expects ${describeJsonTypes(context.expected)}, but concat and join produce text`);
    }
  }

  private checkNestedPart(part: unknown, at: PathSegment[], context: FunctionContext): void {
    const nested = asFunctionCall(part);
    if (nested !== undefined) this.checkFunction(nested, at, { node: context.node, expected: new Set(['string', 'number', 'integer', 'boolean']), where: 'a part of concat/join' });
  }

  private checkPropertyReference(
    node: string,
    def: NodeTypeDef,
    property: string,
    path: PathSegment[],
    namePath: PathSegment[],
    at: PathSegment[],
    context: FunctionContext,
  ): void {
    const declared = declaredPropertyNames(def);
    if (!declared.includes(property)) {
      this.report.add(ProblemCode.UNDEFINED_PROPERTY, namePath, `type ${def.name} (node "${shownName(node)}") has no property "${shownName(property)}"`, (budget) => suggestionHint(property, declared, 'properties', budget));
      return;
    }
    const template = this.nodes[node];
    const properties = isPlainObject(template) && isPlainObject(template.properties) ? template.properties : {};
    const propertySchema = schemaAt(def.properties, [property]);
    const hasDefault = propertySchema !== undefined && Object.prototype.hasOwnProperty.call(propertySchema, 'default');
    if (!Object.prototype.hasOwnProperty.call(properties, property) && !hasDefault) {
      this.report.add(ProblemCode.UNDEFINED_PROPERTY, namePath, `node "${shownName(node)}" does not set property "${shownName(property)}" and it has no default`, `set "${shownName(property)}" on "${shownName(node)}"`);
      return;
    }
    if (context.expected === undefined) return;
    let value: unknown = Object.prototype.hasOwnProperty.call(properties, property) ? properties[property] : propertySchema?.default;
    for (const segment of path) {
      if (asFunctionCall(value) !== undefined) return;
      value = Array.isArray(value) || isPlainObject(value) ? (value as Record<string | number, unknown>)[segment] : undefined;
    }
    if (value === undefined || asFunctionCall(value) !== undefined) return;
    const produced = jsonTypeOf(value);
    if (!typeFits(produced, context.expected)) {
      this.report.add(ProblemCode.TYPE_MISMATCH, at, `${context.where} expects ${describeJsonTypes(context.expected)}, but property "${shownName(property)}" of "${shownName(node)}" is ${describeJsonTypes([produced])}`);
    }
  }

  private checkCycles(): void {
    const plan = buildPlan(documentDependencies(this.doc));
    for (const cycle of plan.cycles) {
      const [first] = cycle;
      const target = cycle[1] ?? first;
      const requirement = isPlainObject(this.nodes[first]) ? requirementTargets(this.nodes[first].requirements).find((entry) => entry.node === target) : undefined;
      const path: PathSegment[] = requirement ? ['node_templates', first, 'requirements', requirement.index] : ['node_templates', first];
      this.report.add(
        ProblemCode.CYCLE,
        path,
        cycle.length === 1 ? `"${shownName(first)}" depends on itself` : `dependency cycle: ${[...cycle, first].join(' → ')}`,
        'remove one of these requirements or get_attribute/get_property references',
      );
    }
  }
}

function suggestInputType(expected: ReadonlySet<JsonType>): string {
  if (expected.has('integer')) return 'integer';
  if (expected.has('number')) return 'float';
  if (expected.has('string')) return 'string';
  if (expected.has('boolean')) return 'boolean';
  if (expected.has('array')) return 'list';
  return 'map';
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
