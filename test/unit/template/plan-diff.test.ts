import { describe, expect, it } from 'vitest';
import {
  analyzeTemplate,
  diffTemplates,
  planTemplate,
  resolveTemplate,
  type ResolvedTemplate,
  type TemplateDoc,
} from '../../../src/template/index.js';
import { HEAD, quickStart } from './fixtures.js';

function docOf(lines: string[]): TemplateDoc {
  const analysis = analyzeTemplate([HEAD, ...lines].join('\n'));
  expect(analysis.problems).toEqual([]);
  return analysis.doc!;
}

function resolve(doc: TemplateDoc, inputs: Record<string, unknown> = {}): ResolvedTemplate {
  const result = resolveTemplate(doc, inputs);
  expect(result.problems).toEqual([]);
  return result.resolved!;
}

const randomString = (name: string, extra = ''): string => `  ${name}: {type: CTC.Core.RandomString${extra}}`;

describe('planTemplate', () => {
  it('puts independent elements in the same wave and reverses the waves for delete', () => {
    const doc = docOf([
      'node_templates:',
      randomString('top', ', requirements: [{dependency: left}, {dependency: right}]'),
      randomString('left', ', requirements: [{dependency: base}]'),
      randomString('right', ', requirements: [{dependency: base}]'),
      randomString('base'),
      randomString('lonely'),
    ]);
    const plan = planTemplate(doc);
    expect(plan.waves).toEqual([['base', 'lonely'], ['left', 'right'], ['top']]);
    expect(plan.order).toEqual(['base', 'lonely', 'left', 'right', 'top']);
    expect(plan.deleteWaves).toEqual([['top'], ['left', 'right'], ['base', 'lonely']]);
    expect(plan.dependencies.top).toEqual(['left', 'right']);
    expect(plan.cycles).toEqual([]);
  });

  it('places an element one wave after its latest dependency', () => {
    const doc = docOf([
      'node_templates:',
      randomString('a'),
      randomString('b', ', requirements: [{dependency: a}]'),
      randomString('c', ', requirements: [{dependency: b}]'),
      randomString('d', ', requirements: [{dependency: a}, {dependency: c}]'),
    ]);
    expect(planTemplate(doc).waves).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('adds implicit edges for get_attribute and get_property references to other nodes', () => {
    const doc = docOf([
      'node_templates:',
      '  password: {type: CTC.Core.RandomString}',
      '  db:',
      '    type: CTC.RDS.PostgreSQL',
      '    properties: {database: app, user: app, password: {get_attribute: [password, value]}}',
      '  container:',
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package:',
      '        image: app:1',
      '        env: [{name: DB, value: {get_attribute: [db, host]}}, {name: USER, value: {get_property: [db, user]}}]',
      '  app: {type: CTC.ServiceStage.StatelessApplication, requirements: [{package: container}]}',
    ]);
    const plan = planTemplate(doc);
    expect(plan.dependencies).toEqual({ app: ['container'], container: ['db'], db: ['password'], password: [] });
    expect(plan.waves).toEqual([['password'], ['db'], ['container'], ['app']]);
    expect(planTemplate(resolve(doc))).toEqual(plan);
  });

  it('orders the quick-start container before the application', () => {
    const analysis = analyzeTemplate(quickStart);
    expect(planTemplate(analysis.doc!).order).toEqual(['nginx-container', 'nginx-app']);
  });

  it('leaves elements on or behind a cycle out of the waves and names the cycle', () => {
    const plan = planTemplate({
      tosca_definitions_version: 'ctc_tosca_version_1_0',
      node_templates: {
        a: { type: 'CTC.Core.RandomString', requirements: [{ dependency: 'b' }] },
        b: { type: 'CTC.Core.RandomString', requirements: [{ dependency: 'a' }] },
        c: { type: 'CTC.Core.RandomString', requirements: [{ dependency: 'a' }] },
        d: { type: 'CTC.Core.RandomString' },
      },
    });
    expect(plan.waves).toEqual([['d']]);
    expect(plan.blocked).toEqual(['a', 'b', 'c']);
    expect(plan.cycles).toEqual([['a', 'b']]);
  });

  it('plans a chain of 1000 elements without exhausting the stack', () => {
    const dependencies: Record<string, string[]> = {};
    for (let i = 0; i < 1000; i++) dependencies[`n${i}`] = i === 0 ? [] : [`n${i - 1}`];
    const resolved: ResolvedTemplate = { nodes: {}, outputs: {}, inputs: {} };
    for (const [name, deps] of Object.entries(dependencies)) resolved.nodes[name] = { type: 'CTC.Core.RandomString', properties: {}, requirements: {}, dependencies: deps };
    const plan = planTemplate(resolved);
    expect(plan.waves).toHaveLength(1000);
    resolved.nodes.n0.dependencies = ['n999'];
    const cyclic = planTemplate(resolved);
    expect(cyclic.cycles).toHaveLength(1);
    expect(cyclic.cycles[0]).toHaveLength(1000);
  });
});

describe('diffTemplates', () => {
  const doc = docOf([
    'inputs:',
    '  image: {type: string, default: "app:1"}',
    '  instances: {type: integer, default: 1}',
    '  database: {type: string, default: app}',
    '  env: {type: string, default: prod}',
    'node_templates:',
    '  db:',
    '    type: CTC.RDS.PostgreSQL',
    '    properties: {database: {get_input: database}, user: app}',
    '  container:',
    '    type: CTC.ServiceStage.ContainerComponent',
    '    properties:',
    '      package:',
    '        image: {get_input: image}',
    '        env: [{name: DB, value: {get_attribute: [db, host]}}, {name: ENV, value: {get_input: env}}]',
    '  app:',
    '    type: CTC.ServiceStage.StatelessApplication',
    '    properties: {instances: {get_input: instances}}',
    '    requirements: [{package: container}]',
    '  token: {type: CTC.Core.RandomString}',
  ]);
  const before = resolve(doc);
  const changeOf = (after: ResolvedTemplate) => Object.fromEntries(diffTemplates(before, after).map((change) => [change.element, [change.change, change.changedProperties]]));

  it('reports NO_CHANGE for identical templates', () => {
    expect(diffTemplates(before, resolve(doc)).map((change) => change.change)).toEqual(['NO_CHANGE', 'NO_CHANGE', 'NO_CHANGE', 'NO_CHANGE']);
  });

  it('reports MODIFY with the changed properties for an in-place change', () => {
    expect(changeOf(resolve(doc, { instances: 3 }))).toEqual({
      db: ['NO_CHANGE', []],
      token: ['NO_CHANGE', []],
      container: ['NO_CHANGE', []],
      app: ['MODIFY', ['instances']],
    });
  });

  it('modifies the application whose container component changed', () => {
    expect(changeOf(resolve(doc, { image: 'app:2' }))).toMatchObject({
      container: ['MODIFY', ['package']],
      app: ['MODIFY', ['requirements.package']],
    });
    expect(changeOf(resolve(doc, { env: 'staging' }))).toMatchObject({ app: ['MODIFY', ['requirements.package']] });
  });

  it('replaces on a replaceOnChange property and modifies what reads the replaced element', () => {
    expect(changeOf(resolve(doc, { database: 'other' }))).toEqual({
      db: ['REPLACE', ['database']],
      token: ['NO_CHANGE', []],
      container: ['MODIFY', ['package']],
      app: ['MODIFY', ['requirements.package']],
    });
  });

  it('replaces an element whose type changed, adds new ones and deletes removed ones', () => {
    const after = structuredClone(before);
    after.nodes.token = { type: 'Test.Other.Type', properties: {}, requirements: {}, dependencies: [] };
    after.nodes.extra = { type: 'CTC.Core.RandomString', properties: { length: 8 }, requirements: {}, dependencies: ['app'] };
    delete after.nodes.db;
    after.nodes.container.dependencies = [];
    const changes = diffTemplates(before, after);
    expect(changes.map((change) => [change.element, change.change])).toEqual([
      ['container', 'NO_CHANGE'],
      ['token', 'REPLACE'],
      ['app', 'NO_CHANGE'],
      ['extra', 'ADD'],
      ['db', 'DELETE'],
    ]);
    expect(changes.find((change) => change.element === 'db')?.type).toBe('CTC.RDS.PostgreSQL');
    expect(changes.find((change) => change.element === 'extra')?.changedProperties).toEqual(['length']);
  });

  it('treats a changed requirement target as a modification', () => {
    const after = structuredClone(before);
    after.nodes.container2 = structuredClone(after.nodes.container);
    after.nodes.app.requirements = { package: 'container2' };
    after.nodes.app.dependencies = ['container2'];
    expect(diffTemplates(before, after).find((change) => change.element === 'app')).toMatchObject({ change: 'MODIFY', changedProperties: ['requirements.package'] });
  });

  it('lets callers supply type information (e.g. inside a workflow)', () => {
    const after = resolve(doc, { instances: 5 });
    const changes = diffTemplates(before, after, { typeInfo: () => ({ replaceOnChange: ['instances'], deployable: true }) });
    expect(changes.find((change) => change.element === 'app')?.change).toBe('REPLACE');
  });
});
