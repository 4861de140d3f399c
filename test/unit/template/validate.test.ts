import { describe, expect, it } from 'vitest';
import { analyzeTemplate, planTemplate, validateTemplate, type TemplateDoc } from '../../../src/template/index.js';
import { BASE_LINES, HEAD, editedBase, quickStart } from './fixtures.js';

describe('the quick-start template', () => {
  const analysis = analyzeTemplate(quickStart);

  it('validates unchanged', () => {
    expect(analysis.problems).toEqual([]);
    expect(analysis.valid).toBe(true);
    expect(analysis.outputs).toEqual(['nginx-NodePort']);
    expect(analysis.inputs.map((input) => [input.name, input.type, input.default])).toEqual([
      ['image', 'string', '100.125.0.12:20202/wuhu/nginx:latest'],
      ['instance', 'integer', 1],
    ]);
  });

  it('installs nginx-container then nginx-app', () => {
    expect(analysis.elements).toEqual(['nginx-container', 'nginx-app']);
    expect(planTemplate(analysis.doc as TemplateDoc).waves).toEqual([['nginx-container'], ['nginx-app']]);
  });

  it('also validates as JSON', () => {
    const json = JSON.stringify(analysis.doc, null, 2);
    const fromJson = analyzeTemplate(json);
    expect(fromJson.problems).toEqual([]);
    expect(fromJson.doc).toEqual(analysis.doc);
  });
});

describe('the base template of the invalid-template table', () => {
  it('is valid', () => {
    expect(analyzeTemplate(editedBase()).problems).toEqual([]);
  });
});

interface InvalidCase {
  name: string;
  text: string;
  code: string;
  path: string;
  line: number;
  /** Text the message must contain. */
  message?: string;
  hint?: string;
}

const randomStrings = (count: number): string =>
  [HEAD, 'node_templates:', ...Array.from({ length: count }, (_, i) => `  r${i}: {type: CTC.Core.RandomString}`)].join('\n');

const manyInputs = (count: number): string =>
  [HEAD, 'inputs:', ...Array.from({ length: count }, (_, i) => `  i${i}: {type: string, default: x}`), 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n');

const cases: InvalidCase[] = [
  { name: 'wrong version', text: editedBase({ replace: 1, with: ['tosca_definitions_version: tosca_simple_yaml_1_3'] }), code: 'BAD_VERSION', path: 'tosca_definitions_version', line: 1, hint: 'ctc_tosca_version_1_0' },
  { name: 'missing version', text: editedBase({ remove: 1 }), code: 'MISSING_FIELD', path: 'tosca_definitions_version', line: 1 },
  { name: 'unknown section', text: editedBase({ insertAfter: 1, lines: ['descripton: my app'] }), code: 'UNKNOWN_FIELD', path: 'descripton', line: 2, hint: 'did you mean "description"?' },
  { name: 'node_templates is a list', text: `${HEAD}\nnode_templates: [web]\n`, code: 'NOT_A_MAPPING', path: 'node_templates', line: 2 },
  { name: 'node_templates is empty', text: `${HEAD}\nnode_templates: {}\n`, code: 'INVALID_VALUE', path: 'node_templates', line: 2 },
  { name: 'node_templates missing', text: `${HEAD}\ndescription: nothing\n`, code: 'MISSING_FIELD', path: 'node_templates', line: 1 },
  { name: 'node without type', text: editedBase({ remove: 11 }), code: 'MISSING_FIELD', path: 'node_templates.web.type', line: 10 },
  { name: 'misspelt node type', text: editedBase({ replace: 11, with: ['    type: CTC.ServiceStage.StatelessApp'] }), code: 'UNKNOWN_TYPE', path: 'node_templates.web.type', line: 11, hint: 'did you mean "CTC.ServiceStage.StatelessApplication"?' },
  { name: 'unknown node field', text: editedBase({ insertAfter: 11, lines: ['    propertes: {}'] }), code: 'UNKNOWN_FIELD', path: 'node_templates.web.propertes', line: 12, hint: 'did you mean "properties"?' },
  { name: 'property outside its enum', text: editedBase({ insertAfter: 13, lines: ['      restartPolicy: Alway'] }), code: 'INVALID_PROPERTY', path: 'node_templates.web.properties.restartPolicy', line: 14, hint: 'did you mean "Always"?' },
  { name: 'property below its minimum', text: editedBase({ replace: 13, with: ['      instances: -1'] }), code: 'INVALID_PROPERTY', path: 'node_templates.web.properties.instances', line: 13, message: '>= 0' },
  { name: 'property of the wrong type', text: editedBase({ replace: 13, with: ['      instances: many'] }), code: 'INVALID_PROPERTY', path: 'node_templates.web.properties.instances', line: 13, message: 'must be an integer' },
  { name: 'misspelt property', text: editedBase({ replace: 13, with: ['      instance: 2'] }), code: 'UNKNOWN_FIELD', path: 'node_templates.web.properties.instance', line: 13, hint: 'did you mean "instances"?' },
  { name: 'required nested property missing', text: editedBase({ replace: 20, with: ['        command: [nginx]'] }), code: 'MISSING_FIELD', path: 'node_templates.web-container.properties.package.image', line: 19 },
  { name: 'nested list item out of range', text: editedBase({ insertAfter: 20, lines: ['        ports: [{containerPort: 70000}]'] }), code: 'INVALID_PROPERTY', path: 'node_templates.web-container.properties.package.ports[0].containerPort', line: 21 },
  { name: 'misspelt function', text: editedBase({ replace: 13, with: ['      instances: {get_inputs: replicas}'] }), code: 'INVALID_PROPERTY', path: 'node_templates.web.properties.instances', line: 13, hint: 'did you mean the function "get_input"?' },
  { name: 'undefined input', text: editedBase({ replace: 13, with: ['      instances: {get_input: replica}'] }), code: 'UNDEFINED_INPUT', path: 'node_templates.web.properties.instances.get_input', line: 13, hint: 'did you mean "replicas"?' },
  { name: 'string input feeding an integer property', text: editedBase({ replace: 13, with: ['      instances: {get_input: image}'] }), code: 'TYPE_MISMATCH', path: 'node_templates.web.properties.instances', line: 13 },
  { name: 'concat feeding an integer property', text: editedBase({ replace: 13, with: ['      instances: {concat: ["1", "2"]}'] }), code: 'TYPE_MISMATCH', path: 'node_templates.web.properties.instances', line: 13 },
  { name: 'get_input with a bad argument', text: editedBase({ replace: 13, with: ['      instances: {get_input: [1]}'] }), code: 'BAD_FUNCTION', path: 'node_templates.web.properties.instances.get_input', line: 13 },
  { name: 'get_attribute of SELF', text: editedBase({ replace: 13, with: ['      instances: {get_attribute: [SELF, instances]}'] }), code: 'BAD_FUNCTION', path: 'node_templates.web.properties.instances.get_attribute[0]', line: 13 },
  {
    name: 'get_property of the wrong type',
    text: [HEAD, 'node_templates:', '  rnd:', '    type: CTC.Core.RandomString', '  db:', '    type: CTC.RDS.PostgreSQL', '    properties:', '      database: {get_property: [rnd, length]}', '      user: app'].join('\n'),
    code: 'TYPE_MISMATCH',
    path: 'node_templates.db.properties.database',
    line: 8,
  },
  { name: 'requirement naming a missing node', text: editedBase({ replace: 15, with: ['      - package: web-containr'] }), code: 'UNDEFINED_NODE', path: 'node_templates.web.requirements[0].package', line: 15, hint: 'did you mean "web-container"?' },
  { name: 'long-form requirement naming a missing node', text: editedBase({ replace: 15, with: ['      - package: {node: nope}'] }), code: 'UNDEFINED_NODE', path: 'node_templates.web.requirements[0].package.node', line: 15 },
  {
    name: 'requirement naming a node of the wrong type',
    text: editedBase({ replace: 15, with: ['      - package: db'] }, { insertAfter: 20, lines: ['  db:', '    type: CTC.RDS.PostgreSQL', '    properties: {database: app, user: app}'] }),
    code: 'TYPE_MISMATCH',
    path: 'node_templates.web.requirements[0].package',
    line: 15,
  },
  { name: 'required requirement missing', text: editedBase({ remove: 14, count: 2 }), code: 'MISSING_FIELD', path: 'node_templates.web', line: 10, message: '"package" requirement' },
  { name: 'unknown requirement name', text: editedBase({ insertAfter: 15, lines: ['      - packages: web-container'] }), code: 'UNKNOWN_FIELD', path: 'node_templates.web.requirements[1].packages', line: 16, hint: 'did you mean "package"?' },
  { name: 'requirement with two names', text: editedBase({ insertAfter: 15, lines: ['      - {dependency: web-container, package: web-container}'] }), code: 'INVALID_VALUE', path: 'node_templates.web.requirements[1]', line: 16 },
  { name: 'unknown key in a long-form requirement', text: editedBase({ replace: 15, with: ['      - package: {node: web-container, relation: x}'] }), code: 'UNKNOWN_FIELD', path: 'node_templates.web.requirements[0].package.relation', line: 15 },
  {
    name: 'dependency cycle',
    text: editedBase({ insertAfter: 20, lines: ['    requirements:', '      - dependency: web'] }),
    code: 'CYCLE',
    path: 'node_templates.web.requirements[0]',
    line: 15,
    message: 'web → web-container → web',
  },
  { name: 'node depending on itself', text: editedBase({ insertAfter: 15, lines: ['      - dependency: web'] }), code: 'CYCLE', path: 'node_templates.web.requirements[1]', line: 16, message: '"web" depends on itself' },
  {
    name: 'cycle through get_attribute references',
    text: [HEAD, 'node_templates:', '  a:', '    type: CTC.RDS.PostgreSQL', '    properties: {database: a, user: {get_attribute: [b, user]}}', '  b:', '    type: CTC.RDS.PostgreSQL', '    properties: {database: b, user: {get_attribute: [a, user]}}'].join('\n'),
    code: 'CYCLE',
    path: 'node_templates.a',
    line: 3,
    message: 'a → b → a',
  },
  { name: 'undeclared attribute', text: editedBase({ replace: 23, with: ['    value: {get_attribute: [web, endpoint]}'] }), code: 'UNDEFINED_ATTRIBUTE', path: 'outputs.url.value.get_attribute[1]', line: 23, hint: 'did you mean "endpoints"?' },
  { name: 'attribute of a node without attributes', text: editedBase({ replace: 23, with: ['    value: {get_attribute: [web-container, image]}'] }), code: 'UNDEFINED_ATTRIBUTE', path: 'outputs.url.value.get_attribute[1]', line: 23 },
  { name: 'get_attribute of a missing node', text: editedBase({ replace: 23, with: ['    value: {get_attribute: [webb, endpoints]}'] }), code: 'UNDEFINED_NODE', path: 'outputs.url.value.get_attribute[0]', line: 23, hint: 'did you mean "web"?' },
  { name: 'get_attribute with one argument', text: editedBase({ replace: 23, with: ['    value: {get_attribute: [web]}'] }), code: 'BAD_FUNCTION', path: 'outputs.url.value.get_attribute', line: 23 },
  { name: 'SELF in an output', text: editedBase({ replace: 23, with: ['    value: {get_property: [SELF, instances]}'] }), code: 'BAD_FUNCTION', path: 'outputs.url.value.get_property[0]', line: 23 },
  { name: 'undeclared property', text: editedBase({ replace: 23, with: ['    value: {get_property: [web, instancez]}'] }), code: 'UNDEFINED_PROPERTY', path: 'outputs.url.value.get_property[1]', line: 23, hint: 'did you mean "instances"?' },
  { name: 'property neither set nor defaulted', text: editedBase({ replace: 23, with: ['    value: {get_property: [web, healthCheck]}'] }), code: 'UNDEFINED_PROPERTY', path: 'outputs.url.value.get_property[1]', line: 23 },
  { name: 'empty concat', text: editedBase({ replace: 23, with: ['    value: {concat: []}'] }), code: 'BAD_FUNCTION', path: 'outputs.url.value.concat', line: 23 },
  { name: 'join with too many arguments', text: editedBase({ replace: 23, with: ['    value: {join: [[a], "-", x]}'] }), code: 'BAD_FUNCTION', path: 'outputs.url.value.join', line: 23 },
  { name: 'output without value', text: editedBase({ replace: 23, with: ['    description: where it runs'] }), code: 'MISSING_FIELD', path: 'outputs.url.value', line: 22 },
  { name: 'misspelt input type', text: editedBase({ replace: 4, with: ['    type: str'] }), code: 'BAD_INPUT_TYPE', path: 'inputs.image.type', line: 4, hint: 'did you mean "string"?' },
  { name: 'input without type', text: editedBase({ remove: 4 }), code: 'MISSING_FIELD', path: 'inputs.image.type', line: 3 },
  { name: 'default of the wrong type', text: editedBase({ replace: 8, with: ['    default: two'] }), code: 'BAD_DEFAULT', path: 'inputs.replicas.default', line: 8 },
  { name: 'default breaking a constraint', text: editedBase({ insertAfter: 8, lines: ['    constraints:', '      - in_range: [3, 5]'] }), code: 'BAD_DEFAULT', path: 'inputs.replicas.default', line: 8, message: 'outside the range 3..5' },
  { name: 'unknown constraint', text: editedBase({ insertAfter: 5, lines: ['    constraints:', '      - max_lenght: 3'] }), code: 'BAD_CONSTRAINT', path: 'inputs.image.constraints[0]', line: 7, hint: 'did you mean "max_length"?' },
  { name: 'constraint not applicable to the type', text: editedBase({ insertAfter: 8, lines: ['    constraints:', '      - pattern: "[0-9]+"'] }), code: 'BAD_CONSTRAINT', path: 'inputs.replicas.constraints[0]', line: 10 },
  { name: 'invalid pattern', text: editedBase({ insertAfter: 5, lines: ['    constraints:', '      - pattern: "([a-z"'] }), code: 'BAD_CONSTRAINT', path: 'inputs.image.constraints[0]', line: 7 },
  { name: 'in_range upside down', text: editedBase({ insertAfter: 8, lines: ['    constraints:', '      - in_range: [5, 1]'] }), code: 'BAD_CONSTRAINT', path: 'inputs.replicas.constraints[0]', line: 10 },
  { name: 'unknown input field', text: editedBase({ insertAfter: 5, lines: ['    requred: true'] }), code: 'UNKNOWN_FIELD', path: 'inputs.image.requred', line: 6, hint: 'did you mean "required"?' },
  { name: 'too many inputs', text: manyInputs(61), code: 'TOO_MANY_INPUTS', path: 'inputs', line: 2 },
  { name: 'too many elements', text: randomStrings(1001), code: 'TOO_MANY_ELEMENTS', path: 'node_templates', line: 2 },
  { name: 'reserved node name', text: `${HEAD}\nnode_templates:\n  SELF: {type: CTC.Core.RandomString}\n`, code: 'INVALID_NAME', path: 'node_templates.SELF', line: 3 },
  { name: 'node name with spaces', text: `${HEAD}\nnode_templates:\n  "my node": {type: CTC.Core.RandomString}\n`, code: 'INVALID_NAME', path: 'node_templates["my node"]', line: 3 },
  { name: 'tab indentation', text: editedBase({ replace: 13, with: ['\t\tinstances: 2'] }), code: 'YAML_TAB', path: '', line: 13, message: 'tabs cannot indent YAML; use spaces (2, 4, …)' },
  { name: 'unclosed flow list', text: editedBase({ replace: 13, with: ['      instances: [2'] }), code: 'YAML_SYNTAX', path: '', line: 14 },
  { name: 'duplicate key', text: editedBase({ insertAfter: 13, lines: ['      instances: 3'] }), code: 'YAML_SYNTAX', path: '', line: 14, hint: 'each key may appear once in a mapping' },
  { name: 'JSON with a missing comma', text: '{\n  "tosca_definitions_version": "ctc_tosca_version_1_0"\n  "node_templates": {}\n}', code: 'JSON_SYNTAX', path: '', line: 3 },
  {
    name: 'JSON template with an unknown type',
    text: '{\n  "tosca_definitions_version": "ctc_tosca_version_1_0",\n  "node_templates": {\n    "r": {\n      "type": "CTC.Core.RandomStrng"\n    }\n  }\n}',
    code: 'UNKNOWN_TYPE',
    path: 'node_templates.r.type',
    line: 5,
  },
  { name: 'a scalar instead of a template', text: 'just some text\n', code: 'NOT_A_MAPPING', path: '', line: 1 },
  { name: 'template over 1 MiB', text: `${HEAD}\ndescription: "${'x'.repeat(1024 * 1024)}"\n`, code: 'TOO_LARGE', path: '', line: 1 },
  { name: 'infinite number', text: editedBase({ replace: 13, with: ['      instances: .inf'] }), code: 'INVALID_VALUE', path: 'node_templates.web.properties.instances', line: 13 },
];

describe('invalid templates', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(BASE_LINES.length).toBe(23);
  });

  it.each(cases)('$name → $code at $path (line $line)', ({ text, code, path, line, message, hint }) => {
    const analysis = analyzeTemplate(text);
    expect(analysis.valid).toBe(false);
    const found = analysis.problems.find((problem) => problem.code === code && problem.path === path);
    expect(found, JSON.stringify(analysis.problems, null, 2)).toBeDefined();
    expect(found!.line).toBe(line);
    expect(found!.column).toBeGreaterThanOrEqual(1);
    if (message !== undefined) expect(found!.message).toContain(message);
    if (hint !== undefined) expect(found!.hint).toContain(hint);
    for (const problem of analysis.problems) {
      expect(problem.line, `${problem.code} ${problem.path} has a line`).toBeGreaterThanOrEqual(1);
      expect(problem.message.length).toBeGreaterThan(0);
    }
  });
});

describe('validation', () => {
  it('reports all problems at once, in source order', () => {
    const text = editedBase(
      { replace: 4, with: ['    type: str'] },
      { replace: 11, with: ['    type: CTC.ServiceStage.StatelessApplication'] },
      { insertAfter: 13, lines: ['      restartPolicy: Alway'] },
      { replace: 15, with: ['      - package: nope'] },
      { replace: 23, with: ['    value: {get_attribute: [web, endpoint]}'] },
    );
    const { problems } = analyzeTemplate(text);
    expect(problems.map((problem) => problem.code)).toEqual(['BAD_INPUT_TYPE', 'INVALID_PROPERTY', 'UNDEFINED_NODE', 'UNDEFINED_ATTRIBUTE']);
    expect(problems.map((problem) => problem.line)).toEqual([4, 14, 16, 24]);
    expect(analyzeTemplate(text).problems).toEqual(problems);
  });

  it('reports a cycle once with its members in order', () => {
    const text = [
      HEAD,
      'node_templates:',
      '  a: {type: CTC.Core.RandomString, requirements: [{dependency: b}]}',
      '  b: {type: CTC.Core.RandomString, requirements: [{dependency: c}]}',
      '  c: {type: CTC.Core.RandomString, requirements: [{dependency: a}]}',
      '  d: {type: CTC.Core.RandomString, requirements: [{dependency: a}]}',
    ].join('\n');
    const analysis = analyzeTemplate(text);
    const cycles = analysis.problems.filter((problem) => problem.code === 'CYCLE');
    expect(cycles).toHaveLength(1);
    expect(cycles[0].message).toBe('dependency cycle: a → b → c → a');
    expect(analysis.elements).toEqual(['a', 'b', 'c', 'd']);
  });

  it('accepts both requirement forms, the generic dependency and functions anywhere in properties', () => {
    const text = [
      HEAD,
      'inputs:',
      '  db_password: {type: password, constraints: [{min_length: 8}]}',
      '  port: {type: integer, default: 8080, constraints: [{in_range: [1024, 65535]}]}',
      'node_templates:',
      '  db:',
      '    type: CTC.RDS.PostgreSQL',
      '    properties: {database: app, user: app, password: {get_input: db_password}}',
      '  app:',
      '    type: CTC.ServiceStage.StatelessApplication',
      '    properties:',
      '      healthCheck: {type: http, port: {get_input: port}, path: /health}',
      '    requirements:',
      '      - package: {node: container}',
      '      - dependency: db',
      '  container:',
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package:',
      '        image: app:1',
      '        env:',
      '          - {name: DB_HOST, value: {get_attribute: [db, host]}}',
      '          - {name: PORT, value: {get_input: port}}',
      '          - {name: URL, value: {join: [[{get_attribute: [db, host]}, {get_attribute: [db, port]}], ":"]}}',
      '        secrets:',
      '          - {name: DB_PASSWORD, value: {get_attribute: [db, password]}}',
      '        ports: [{containerPort: {get_input: port}}]',
      '        serviceSpec: {type: NodePort, ports: [{port: 80, targetPort: {get_property: [SELF, package, ports, 0, containerPort]}}]}',
    ].join('\n');
    const analysis = analyzeTemplate(text);
    expect(analysis.problems).toEqual([]);
    expect(analysis.elements).toEqual(['db', 'container', 'app']);
    expect(analysis.inputs.find((input) => input.name === 'db_password')).toMatchObject({ secret: true, required: true });
  });

  it('masks secret input defaults in the analysis', () => {
    const text = [HEAD, 'inputs:', '  pw: {type: secret, default: hunter22}', 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n');
    expect(analyzeTemplate(text).inputs[0]).toMatchObject({ name: 'pw', secret: true, default: '******', required: false });
  });

  it('does not print secret defaults in problems', () => {
    const text = [HEAD, 'inputs:', '  pw: {type: password, default: hunter2, constraints: [{min_length: 12}]}', 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n');
    const { problems } = analyzeTemplate(text);
    expect(problems).toMatchObject([{ code: 'BAD_DEFAULT', path: 'inputs.pw.default' }]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('validates a parsed document without a source map (no positions) and never throws on garbage', () => {
    expect(validateTemplate({ tosca_definitions_version: 'ctc_tosca_version_1_0', node_templates: { r: { type: 'CTC.Core.RandomString' } } })).toEqual([]);
    for (const garbage of [null, 42, 'text', [], { node_templates: null }, { node_templates: { a: null } }, { inputs: [1], node_templates: { a: { type: 5, requirements: 'x' } } }]) {
      expect(() => validateTemplate(garbage)).not.toThrow();
      expect(validateTemplate(garbage).length).toBeGreaterThan(0);
    }
  });
});
