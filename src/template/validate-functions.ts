// Intrinsic function calls (get_input, get_property, get_attribute, concat, join): well formed,
// naming inputs, nodes, properties and attributes that exist, and producing what the place that
// holds them accepts, as far as that can be told before deployment.
import { declaredPropertyNames, type NodeTypeDef } from './catalog/index.js';
import {
  SELF,
  asFunctionCall,
  concatParts,
  inputReference,
  joinArguments,
  nodeReference,
  type FunctionCall,
} from './functions.js';
import { jsonTypeOfInput } from './inputs.js';
import { isPlainObject, jsonTypeOf, type JsonType } from './json-values.js';
import { shownName, type PathSegment } from './path.js';
import { ProblemCode, suggestionHint } from './problems.js';
import { describeJsonTypes, schemaAt, typeFits } from './schema-walk.js';
import { nodeTypeOf, type TemplateCheck } from './validate-context.js';

/** What a function call produces, when that can be told before deployment. */
interface FunctionContext {
  /** The node whose properties hold the call (SELF refers to it); absent in outputs. */
  node?: string;
  /** JSON types the location accepts, from the node type's schema. */
  expected?: Set<JsonType>;
  /** Where the value is used, for messages. */
  where: string;
}

export function checkFunction(check: TemplateCheck, call: FunctionCall, at: PathSegment[], context: FunctionContext): void {
  const argsPath = [...at, call.name];
  switch (call.name) {
    case 'get_input': {
      const reference = inputReference(call.args);
      if (!reference.ok) {
        check.report.add(ProblemCode.BAD_FUNCTION, argsPath, reference.message, reference.hint);
        return;
      }
      const declaration = check.inputs[reference.value.input];
      if (!Object.prototype.hasOwnProperty.call(check.inputs, reference.value.input)) {
        const namePath = Array.isArray(call.args) ? [...argsPath, 0] : argsPath;
        check.report.add(ProblemCode.UNDEFINED_INPUT, namePath, `input "${shownName(reference.value.input)}" is not declared`, (budget) => suggestionHint(reference.value.input, Object.keys(check.inputs), 'inputs', budget));
        return;
      }
      if (reference.value.path.length > 0 || !isPlainObject(declaration) || typeof declaration.type !== 'string') return;
      const produced = jsonTypeOfInput(declaration.type);
      if (produced !== undefined && context.expected !== undefined && !typeFits(produced, context.expected)) {
        check.report.add(
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
        check.report.add(ProblemCode.BAD_FUNCTION, argsPath, reference.message, reference.hint);
        return;
      }
      const { node: named, name } = reference.value;
      if (named === SELF && (call.name === 'get_attribute' || context.node === undefined)) {
        check.report.add(
          ProblemCode.BAD_FUNCTION,
          [...argsPath, 0],
          call.name === 'get_attribute' ? 'get_attribute cannot read SELF: a node\'s own attributes exist only after it is deployed' : 'SELF means the node holding the value; outputs belong to no node',
          call.name === 'get_attribute' ? 'use get_property for the node\'s own settings' : 'name the node instead of SELF',
        );
        return;
      }
      const node = named === SELF ? context.node! : named;
      if (!Object.prototype.hasOwnProperty.call(check.nodes, node)) {
        check.report.add(ProblemCode.UNDEFINED_NODE, [...argsPath, 0], `${call.name} names node "${shownName(node)}", which the template does not define`, (budget) => suggestionHint(node, Object.keys(check.nodes), 'nodes', budget));
        return;
      }
      const def = nodeTypeOf(check, node);
      if (def === undefined) return;
      if (call.name === 'get_attribute') {
        const attributes = Object.keys(def.attributes);
        const attribute = def.attributes[name];
        if (attribute === undefined || !Object.prototype.hasOwnProperty.call(def.attributes, name)) {
          check.report.add(
            ProblemCode.UNDEFINED_ATTRIBUTE,
            [...argsPath, 1],
            `type ${def.name} (node "${shownName(node)}") has no attribute "${shownName(name)}"`,
            attributes.length === 0 ? `${def.name} has no attributes${def.deployable ? '' : ' (it is deployed as part of the node that requires it)'}` : (budget) => suggestionHint(name, attributes, 'attributes', budget),
          );
          return;
        }
        if (reference.value.path.length === 0 && attribute.type !== undefined && context.expected !== undefined && !typeFits(attribute.type, context.expected)) {
          check.report.add(ProblemCode.TYPE_MISMATCH, at, `${context.where} expects ${describeJsonTypes(context.expected)}, but attribute "${shownName(name)}" of "${shownName(node)}" is ${describeJsonTypes([attribute.type])}`);
        }
        return;
      }
      checkPropertyReference(check, node, def, name, reference.value.path, [...argsPath, 1], at, context);
      return;
    }
    case 'concat': {
      const parts = concatParts(call.args);
      if (!parts.ok) {
        check.report.add(ProblemCode.BAD_FUNCTION, argsPath, parts.message, parts.hint);
        return;
      }
      checkProducesText(check, at, context);
      parts.value.forEach((part, index) => checkNestedPart(check, part, [...argsPath, index], context));
      return;
    }
    case 'join': {
      const joined = joinArguments(call.args);
      if (!joined.ok) {
        check.report.add(ProblemCode.BAD_FUNCTION, argsPath, joined.message, joined.hint);
        return;
      }
      checkProducesText(check, at, context);
      if (Array.isArray(joined.value.parts)) joined.value.parts.forEach((part, index) => checkNestedPart(check, part, [...argsPath, 0, index], context));
      else checkFunction(check, joined.value.parts, [...argsPath, 0], { node: context.node, expected: new Set(['array']), where: 'the list of join' });
    }
  }
}

function checkProducesText(check: TemplateCheck, at: PathSegment[], context: FunctionContext): void {
  if (context.expected !== undefined && !context.expected.has('string')) {
    check.report.add(ProblemCode.TYPE_MISMATCH, at, `${context.where} expects ${describeJsonTypes(context.expected)}, but concat and join produce text`);
  }
}

function checkNestedPart(check: TemplateCheck, part: unknown, at: PathSegment[], context: FunctionContext): void {
  const nested = asFunctionCall(part);
  if (nested !== undefined) checkFunction(check, nested, at, { node: context.node, expected: new Set(['string', 'number', 'integer', 'boolean']), where: 'a part of concat/join' });
}

function checkPropertyReference(
  check: TemplateCheck,
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
    check.report.add(ProblemCode.UNDEFINED_PROPERTY, namePath, `type ${def.name} (node "${shownName(node)}") has no property "${shownName(property)}"`, (budget) => suggestionHint(property, declared, 'properties', budget));
    return;
  }
  const template = check.nodes[node];
  const properties = isPlainObject(template) && isPlainObject(template.properties) ? template.properties : {};
  const propertySchema = schemaAt(def.properties, [property]);
  const hasDefault = propertySchema !== undefined && Object.prototype.hasOwnProperty.call(propertySchema, 'default');
  if (!Object.prototype.hasOwnProperty.call(properties, property) && !hasDefault) {
    check.report.add(ProblemCode.UNDEFINED_PROPERTY, namePath, `node "${shownName(node)}" does not set property "${shownName(property)}" and it has no default`, `set "${shownName(property)}" on "${shownName(node)}"`);
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
    check.report.add(ProblemCode.TYPE_MISMATCH, at, `${context.where} expects ${describeJsonTypes(context.expected)}, but property "${shownName(property)}" of "${shownName(node)}" is ${describeJsonTypes([produced])}`);
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
