import { describe, expect, it } from 'vitest';
import {
  analyzeTemplate,
  evaluateDeferred,
  immutableInputProblems,
  isDeferred,
  maskAttributes,
  maskResolvedTemplate,
  maskSecretInputs,
  resolveTemplate,
  type ResolvedTemplate,
  type TemplateDoc,
} from '../../../src/template/index.js';
import { HEAD, quickStart } from './fixtures.js';

function docOf(text: string): TemplateDoc {
  const analysis = analyzeTemplate(text);
  expect(analysis.problems).toEqual([]);
  return analysis.doc!;
}

function resolved(doc: TemplateDoc, inputs: Record<string, unknown> = {}): ResolvedTemplate {
  const result = resolveTemplate(doc, inputs);
  expect(result.problems).toEqual([]);
  return result.resolved!;
}

const inputsTemplate = docOf(
  [
    HEAD,
    'inputs:',
    '  name: {type: string, constraints: [{pattern: "[a-z][a-z0-9-]*"}, {max_length: 20}]}',
    '  replicas: {type: integer, default: 2, constraints: [{in_range: [0, 10]}]}',
    '  ratio: {type: float, required: false}',
    '  debug: {type: boolean, default: false}',
    '  tags: {type: list, default: [a, b], entry_schema: {type: string}}',
    '  labels: {type: map, default: {team: web}}',
    '  tier: {type: string, default: gold, constraints: [{valid_values: [gold, silver]}]}',
    '  db_password: {type: password}',
    'node_templates:',
    '  db:',
    '    type: CTC.RDS.PostgreSQL',
    '    properties: {database: app, user: {get_input: name}, password: {get_input: db_password}}',
    '  container:',
    '    type: CTC.ServiceStage.ContainerComponent',
    '    properties:',
    '      package:',
    '        image: {concat: ["registry/", {get_input: name}, ":", {get_input: replicas}]}',
    '        command: {get_input: tags}',
    '        env:',
    '          - {name: DEBUG, value: {get_input: debug}}',
    '          - {name: TAGS, value: {join: [{get_input: tags}, ","]}}',
    '          - {name: DB_URL, value: {concat: ["postgres://", {get_attribute: [db, host]}, ":", {get_attribute: [db, port]}]}}',
    '          - {name: DB_USER, value: {get_property: [db, user]}}',
    '          - {name: FIRST_PORT, value: {get_property: [SELF, package, ports, 0, containerPort]}}',
    '        secrets:',
    '          - {name: DB_PASSWORD, value: {get_attribute: [db, password]}}',
    '          - {name: DB_PASSWORD_INPUT, value: {get_input: db_password}}',
    '        ports: [{containerPort: 8080}]',
    '  app:',
    '    type: CTC.ServiceStage.StatelessApplication',
    '    properties: {instances: {get_input: replicas}}',
    '    requirements: [{package: container}]',
    'outputs:',
    '  endpoint: {value: {get_attribute: [app, endpoints, 0]}, description: first endpoint}',
    '  user: {value: {get_property: [db, user]}}',
    '  password: {value: {get_attribute: [db, password]}}',
    '  banner: {value: {join: [[{get_input: name}, {get_input: tier}], "/"]}}',
  ].join('\n'),
);

describe('resolveTemplate', () => {
  it('applies defaults and evaluates get_input, get_property, concat and join', () => {
    const result = resolved(inputsTemplate, { name: 'shop', db_password: 's3cret-pass' });
    expect(result.inputs).toEqual({
      name: 'shop',
      replicas: 2,
      ratio: null,
      debug: false,
      tags: ['a', 'b'],
      labels: { team: 'web' },
      tier: 'gold',
      db_password: 's3cret-pass',
    });
    const container = result.nodes.container.properties.package as Record<string, unknown>;
    expect(container.image).toBe('registry/shop:2');
    expect(container.command).toEqual(['a', 'b']);
    expect(container.env).toEqual([
      { name: 'DEBUG', value: false },
      { name: 'TAGS', value: 'a,b' },
      { name: 'DB_URL', value: { concat: ['postgres://', { get_attribute: ['db', 'host'] }, ':', { get_attribute: ['db', 'port'] }] } },
      { name: 'DB_USER', value: 'shop' },
      { name: 'FIRST_PORT', value: 8080 },
    ]);
    expect(result.nodes.app.properties).toMatchObject({ instances: 2, type: 'container', restartPolicy: 'Always' });
    expect(result.nodes.app.requirements).toEqual({ package: 'container' });
    expect(result.nodes.container.dependencies).toEqual(['db']);
    expect(result.outputs.user).toEqual({ value: 'shop' });
    expect(result.outputs.banner).toEqual({ value: 'shop/gold' });
    expect(result.outputs.endpoint).toEqual({ value: { get_attribute: ['app', 'endpoints', 0] }, description: 'first endpoint' });
    expect(result.outputs.password).toEqual({ value: { get_attribute: ['db', 'password'] }, secret: true });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('converts text that spells the input type exactly', () => {
    const result = resolved(inputsTemplate, { name: 'shop', db_password: 'long-enough', replicas: '3', debug: 'true', ratio: '0.5' });
    expect(result.inputs).toMatchObject({ replicas: 3, debug: true, ratio: 0.5 });
  });

  it('reports unknown, missing, mistyped and constraint-breaking inputs at inputs.<name>', () => {
    const { resolved: none, problems } = resolveTemplate(inputsTemplate, { nmae: 'x', replicas: 'lots', tier: 'bronze', tags: 'a,b', debug: 'yes' });
    expect(none).toBeNull();
    expect(problems.map((problem) => [problem.code, problem.path])).toEqual([
      ['MISSING_INPUT', 'inputs.db_password'],
      ['TYPE_MISMATCH', 'inputs.debug'],
      ['MISSING_INPUT', 'inputs.name'],
      ['UNKNOWN_INPUT', 'inputs.nmae'],
      ['TYPE_MISMATCH', 'inputs.replicas'],
      ['TYPE_MISMATCH', 'inputs.tags'],
      ['CONSTRAINT_FAILED', 'inputs.tier'],
    ]);
    expect(problems.find((problem) => problem.code === 'UNKNOWN_INPUT')?.hint).toBe('did you mean "name"?');
  });

  it('checks every constraint kind', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'Shop' }, 'does not match the pattern'],
      [{ name: 'a'.repeat(21) }, 'longer than the maximum length 20'],
      [{ name: 'shop', replicas: 11 }, 'outside the range 0..10'],
      [{ name: 'shop', tier: 'bronze' }, 'not one of the valid values'],
    ];
    for (const [inputs, message] of cases) {
      const { problems } = resolveTemplate(inputsTemplate, { db_password: 'p', ...inputs });
      expect(problems).toHaveLength(1);
      expect(problems[0].code).toBe('CONSTRAINT_FAILED');
      expect(problems[0].message).toContain(message);
    }
    const comparisons = docOf(
      [
        HEAD,
        'inputs:',
        '  a: {type: integer, constraints: [{greater_than: 1}, {less_than: 5}]}',
        '  b: {type: float, constraints: [{greater_or_equal: 0.5}, {less_or_equal: 1.5}]}',
        '  c: {type: string, constraints: [{equal: yes}, {min_length: 3}]}',
        'node_templates:',
        '  r: {type: CTC.Core.RandomString}',
      ].join('\n'),
    );
    expect(resolveTemplate(comparisons, { a: 3, b: 1, c: 'yes' }).problems).toEqual([]);
    const failures = resolveTemplate(comparisons, { a: 5, b: 2, c: 'no' }).problems;
    expect(failures.map((problem) => problem.message)).toEqual([
      'input "a": 5 must be less than 5',
      'input "b": 2 must be at most 1.5',
      'input "c": "no" must equal "yes"',
      'input "c": length 2 is shorter than the minimum length 3',
    ]);
  });

  it('never shows a password value in problems', () => {
    const doc = docOf([HEAD, 'inputs:', '  pw: {type: password, constraints: [{min_length: 12}]}', 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n'));
    const { problems } = resolveTemplate(doc, { pw: 'hunter2' });
    expect(problems).toMatchObject([{ code: 'CONSTRAINT_FAILED', path: 'inputs.pw' }]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(JSON.stringify(resolveTemplate(doc, { pw: { nested: 'hunter2' } }).problems)).not.toContain('hunter2');
  });

  it('checks resolved properties against the type schema', () => {
    const doc = docOf(quickStart);
    const { resolved: none, problems } = resolveTemplate(doc, { instance: -2 });
    expect(none).toBeNull();
    expect(problems).toMatchObject([{ code: 'INVALID_PROPERTY', path: 'node_templates.nginx-app.properties.instances' }]);
  });

  it('keeps the quick-start output deferred and evaluates it once attributes exist', () => {
    const result = resolved(docOf(quickStart));
    const output = result.outputs['nginx-NodePort'].value;
    expect(output).toEqual({ get_attribute: ['nginx-app', 'Service', 'ports', 0, 'nodePort'] });
    expect(isDeferred(output)).toBe(true);
    expect(evaluateDeferred(output, () => undefined)).toEqual(output);
    const attributes = { 'nginx-app': { Service: { ports: [{ port: 80, nodePort: 30080 }] } } } as Record<string, Record<string, unknown>>;
    expect(evaluateDeferred(output, (node) => attributes[node])).toBe(30080);
  });

  it('evaluates deferred concat and join once attributes exist', () => {
    const result = resolved(inputsTemplate, { name: 'shop', db_password: 'long-enough' });
    const env = (result.nodes.container.properties.package as { env: Array<{ value: unknown }> }).env;
    const attributes: Record<string, Record<string, unknown>> = { db: { host: 'db.local', port: 5432 } };
    expect(evaluateDeferred(env[2].value, (node) => attributes[node])).toBe('postgres://db.local:5432');
    expect(evaluateDeferred({ join: [[{ get_attribute: ['db', 'host'] }, 'x'], '-'] }, (node) => attributes[node])).toBe('db.local-x');
    expect(isDeferred(evaluateDeferred(env[2].value, () => ({ host: 'only-host' })))).toBe(true);
  });

  it('masks secrets: password inputs, values fed by them, writeOnly properties and secret outputs', () => {
    const result = resolved(inputsTemplate, { name: 'shop', db_password: 'very-secret-1' });
    expect(result.secretInputs).toEqual(['db_password']);
    expect(result.nodes.db.secretPaths).toEqual([['password']]);
    const masked = maskResolvedTemplate(result);
    const text = JSON.stringify(masked);
    expect(text).not.toContain('very-secret-1');
    expect(masked.inputs.db_password).toBe('******');
    expect(masked.nodes.db.properties.password).toBe('******');
    const secrets = (masked.nodes.container.properties.package as { secrets: Array<{ value: unknown }> }).secrets;
    expect(secrets.map((secret) => secret.value)).toEqual(['******', '******']);
    expect(masked.outputs.password.value).toBe('******');
    expect(masked.outputs.user.value).toBe('shop');
    expect(result.inputs.db_password).toBe('very-secret-1');
    expect(maskSecretInputs([{ name: 'pw', secret: true }, { name: 'n', secret: false }], { pw: 'x', n: 1 })).toEqual({ pw: '******', n: 1 });
    expect(maskAttributes('CTC.RDS.PostgreSQL', { host: 'h', password: 'p' })).toEqual({ host: 'h', password: '******' });
    expect(maskAttributes('CTC.Core.RandomString', { value: 'abc' })).toEqual({ value: '******' });
  });

  it('reports immutable inputs that an update would change', () => {
    const doc = docOf([HEAD, 'inputs:', '  region: {type: string, immutable: true}', '  size: {type: integer, default: 1}', 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n'));
    expect(immutableInputProblems(doc, { region: 'eu', size: 1 }, { region: 'eu', size: 2 })).toEqual([]);
    expect(immutableInputProblems(doc, { region: 'eu' }, { region: 'us' })).toMatchObject([{ code: 'IMMUTABLE_INPUT', path: 'inputs.region' }]);
  });

  it('never throws on documents it was not meant for', () => {
    for (const doc of [null, {}, { node_templates: 5 }, { node_templates: { a: { type: 'X.Y', properties: { p: { get_input: 'nope' } } } } }]) {
      const result = resolveTemplate(doc as unknown as TemplateDoc, {});
      expect(result.resolved === null || typeof result.resolved === 'object').toBe(true);
    }
    expect(resolveTemplate({ tosca_definitions_version: 'ctc_tosca_version_1_0', node_templates: { a: { type: 'X.Y', properties: { p: { get_input: 'nope' } } } } }, {}).problems).toMatchObject([
      { code: 'UNDEFINED_INPUT', path: 'node_templates.a.properties.p.get_input' },
    ]);
  });
});
