// The node_templates section: names, types, and properties against their type's JSON Schema (a
// function call's value is checked by type instead, since it is known only later).
import { getNodeType, listNodeTypes, type NodeTypeDef } from './catalog/index.js';
import { SELF, forEachFunctionCall, type FunctionCall } from './functions.js';
import { atOrUnder, pointerOf } from './json-pointer.js';
import { isPlainObject, preview } from './json-values.js';
import { formatPath, shownName, type PathSegment } from './path.js';
import { ProblemCode, suggestionHint } from './problems.js';
import { reportSchemaErrors, type SchemaErrorContext } from './schema-errors.js';
import { expectedTypes, schemaAt, writeOnlyAt } from './schema-walk.js';
import type { TemplateCheck } from './validate-context.js';
import { checkFunction } from './validate-functions.js';
import { checkRequirements } from './validate-requirements.js';
import { propertyValidatorOf } from './validate-structure.js';

const NODE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export function checkNodes(check: TemplateCheck): void {
  const names = Object.keys(check.nodes);
  const typeNames = listNodeTypes().map((def) => def.name);
  for (const name of names) {
    const template = check.nodes[name];
    const path: PathSegment[] = ['node_templates', name];
    if (!NODE_NAME.test(name) || name === SELF) {
      check.report.add(
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
      check.report.add(ProblemCode.UNKNOWN_TYPE, [...path, 'type'], `unknown node type "${shownName(typeName)}"`, (budget) => suggestionHint(typeName, typeNames, 'known types', budget));
      // Without a schema the properties cannot be checked, but their references still can.
      forEachFunctionCall(template.properties, (call, at) => {
        const where = [...path, 'properties', ...at];
        checkFunction(check, call, where, { node: name, where: formatPath(where) });
      });
    } else {
      checkProperties(check, name, def, template.properties ?? {});
    }
    checkRequirements(check, name, def, template.requirements);
  }
}

function checkProperties(check: TemplateCheck, node: string, def: NodeTypeDef, properties: unknown): void {
  const base: PathSegment[] = ['node_templates', node, 'properties'];
  if (!isPlainObject(properties)) return;
  const validator = propertyValidatorOf(def);
  if (validator instanceof Error) {
    check.report.add(ProblemCode.INVALID_PROPERTY, base, `the schema of type ${def.name} cannot be used: ${validator.message}`, 'fix the type definition in the catalog');
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
    reportSchemaErrors(validator.errors ?? [], context, check.report, (error) => atOrUnder(error.instancePath, callPointers));
  }
  for (const { call, path } of calls) {
    checkFunction(check, call, [...base, ...path], { node, expected: expectedTypes(schemaAt(def.properties, path)), where: formatPath([...base, ...path]) });
  }
}
