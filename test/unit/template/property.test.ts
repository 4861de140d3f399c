// Property-based robustness: whatever text or document comes in, analysis and resolution return a
// result or problems — never an exception — and stay fast. 10 000 cases in all.

import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { analyzeTemplate, planTemplate, resolveTemplate, type TemplateAnalysis } from '../../../src/template/index.js';
import { editedBase, quickStart } from './fixtures.js';

const MAX_MS_PER_CASE = 1000;
let slowest = 0;

function analyzeTimed(text: string): TemplateAnalysis {
  const started = performance.now();
  const analysis = analyzeTemplate(text);
  const elapsed = performance.now() - started;
  slowest = Math.max(slowest, elapsed);
  expect(elapsed).toBeLessThan(MAX_MS_PER_CASE);
  return analysis;
}

function checkAnalysis(analysis: TemplateAnalysis): void {
  expect(Array.isArray(analysis.problems)).toBe(true);
  expect(analysis.valid).toBe(analysis.problems.length === 0);
  for (const problem of analysis.problems) {
    expect(typeof problem.code).toBe('string');
    expect(typeof problem.path).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.line).toBeGreaterThanOrEqual(1);
  }
  if (analysis.valid) {
    expect(analysis.doc).not.toBeNull();
    const started = performance.now();
    const plan = planTemplate(analysis.doc!);
    expect(plan.order.length + plan.blocked.length).toBe(analysis.elements.length);
    const resolved = resolveTemplate(analysis.doc!, {});
    expect(resolved.resolved === null ? resolved.problems.length > 0 : resolved.problems.length === 0).toBe(true);
    expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CASE);
  }
}

const SEEDS = [quickStart, editedBase()];
const seedDocs = SEEDS.map((text) => analyzeTemplate(text).doc as unknown);

const yamlAlphabet = fc.constantFrom(
  ...'abcxyz019 :-_.,[]{}"\'#&*!|>%@`\t\n'.split(''),
  'node_templates', 'tosca_definitions_version', 'get_input', 'get_attribute', ': ', '\n  ', '\n- ', 'ctc_tosca_version_1_0', 'type', 'CTC.Core.RandomString',
);
const randomYaml = fc.array(yamlAlphabet, { maxLength: 200 }).map((parts) => parts.join(''));

type Segment = string | number;

function allPaths(value: unknown, prefix: Segment[] = [], into: Segment[][] = []): Segment[][] {
  into.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => allPaths(item, [...prefix, index], into));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) allPaths(item, [...prefix, key], into);
  return into;
}

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'insert'; at: number; key: string; value: unknown };

const interestingValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(
    { get_input: 'image' },
    { get_input: 'nope' },
    { get_attribute: ['nginx-app', 'Service', 'ports', 0, 'nodePort'] },
    { get_attribute: ['web', 'endpoints'] },
    { get_property: ['SELF', 'package', 'image'] },
    { get_property: ['web-container', 'package'] },
    { concat: ['a', { get_input: 'replicas' }] },
    { join: [[1, 2], '-'] },
    { join: [{ get_input: 'image' }] },
    [{ package: 'web' }],
    [{ dependency: 'nginx-app' }],
    'CTC.ServiceStage.StatelessApplication',
    'CTC.RDS.PostgreSQL',
    -1,
    1e308,
  ),
);
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('type', 'properties', 'requirements', 'default', 'constraints', 'value', 'get_input', 'SELF', '__proto__'));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: interestingValue }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), key }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), key, value: interestingValue }),
);

function applyMutation(doc: unknown, change: Mutation): unknown {
  const paths = allPaths(doc);
  const path = paths[change.at % paths.length];
  if (path.length === 0) return change.kind === 'replace' ? change.value : doc;
  let parent = doc as Record<Segment, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<Segment, unknown>;
  const last = path[path.length - 1];
  const target = parent[last];
  switch (change.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'replace':
      parent[last] = structuredClone(change.value);
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        delete parent[last];
        Object.defineProperty(parent, change.key, { value: target, enumerable: true, writable: true, configurable: true });
      }
      break;
    case 'insert':
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
        Object.defineProperty(target, change.key, { value: structuredClone(change.value), enumerable: true, writable: true, configurable: true });
      } else if (Array.isArray(target)) target.push(structuredClone(change.value));
      break;
  }
  return doc;
}

const textEdit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 5 }),
  insert: fc.array(fc.constantFrom(':', '-', '\t', ' ', '  ', '{', '}', '[', ']', '"', "'", '\n', 'x', '#', '&a', '*a', '---\n', '\t- '), { maxLength: 3 }),
});

describe('robustness (property-based)', () => {
  it('random YAML-like text never throws (2500 cases)', () => {
    fc.assert(fc.property(randomYaml, (text) => checkAnalysis(analyzeTimed(text))), { numRuns: 2500 });
  });

  it('random JSON documents never throw (2500 cases)', () => {
    const document = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ tosca_definitions_version: fc.constantFrom('ctc_tosca_version_1_0', 'x'), node_templates: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) }),
    );
    fc.assert(fc.property(document, fc.boolean(), (doc, pretty) => checkAnalysis(analyzeTimed(JSON.stringify(doc, null, pretty ? 2 : 0)))), { numRuns: 2500 });
  });

  it('structural mutations of valid templates never throw (3000 cases)', () => {
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (seed, mutations, asJson) => {
        let doc = structuredClone(seedDocs[seed]);
        for (const change of mutations) doc = applyMutation(doc, change);
        let text: string;
        try {
          text = asJson ? JSON.stringify(doc, null, 2) : dump(doc);
        } catch {
          text = JSON.stringify(doc);
        }
        checkAnalysis(analyzeTimed(text ?? ''));
      }),
      { numRuns: 3000 },
    );
  });

  it('text edits of valid templates never throw (2000 cases)', () => {
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.array(textEdit, { minLength: 1, maxLength: 3 }), (seed, edits) => {
        let text = SEEDS[seed];
        for (const edit of edits) {
          const at = edit.at % (text.length + 1);
          text = text.slice(0, at) + edit.insert.join('') + text.slice(at + edit.remove);
        }
        checkAnalysis(analyzeTimed(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('stayed well under a second per case', () => {
    expect(slowest).toBeLessThan(MAX_MS_PER_CASE);
    console.log(`slowest analysis: ${slowest.toFixed(1)} ms`);
  });
});
