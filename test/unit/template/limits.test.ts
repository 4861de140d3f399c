// Issue 8 (items 2 and 7, templates): each hostile template below stalled or exhausted the process
// before the limits; each test fails on the code before them.
import { describe, expect, it } from 'vitest';
import {
  analyzeTemplate,
  inputSpecsOf,
  maskInputSpecs,
  maskTemplateBody,
  MAX_PATTERN_LENGTH,
  MAX_PROBLEMS,
  MAX_RESOLVED_VALUES,
  registerNodeType,
  resolveTemplate,
  unregisterNodeType,
  type TemplateDoc,
} from '../../../src/template/index.js';
import {
  catastrophicPattern,
  concatBomb,
  HEAD,
  LITERAL_SECRET,
  manyMisspeltReferences,
  PASSWORD_DEFAULT,
  RDS_PASSWORD,
  resolutionBomb,
  templateWithSecrets,
  unknownProperties,
  unknownPropertiesOfSize,
  worstAccepted,
} from './attacks.js';
import { quickStart } from './fixtures.js';

function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

const withInput = (declaration: string, extra: string[] = []): string =>
  [HEAD, 'inputs:', `  v: ${declaration}`, ...extra, 'node_templates:', '  r: {type: CTC.Core.RandomString}', ''].join('\n');

// The first calls compile the schemas and warm the JIT (RE2's too): timings below are of a warm
// process, as the API's is.
analyzeTemplate(quickStart);
resolveTemplate(analyzeTemplate(quickStart).doc!, {});
resolveTemplate(analyzeTemplate(withInput('{type: string, default: abc, constraints: [{pattern: "[a-c]+(x|y)?"}]}')).doc!, { v: 'cab' });

describe('validation is linear in the text, with at most 100 problems listed', () => {
  it('checks 8 000 unknown properties (79 KB) in well under a second, listing 100 and how many more', () => {
    const text = unknownProperties(8000);
    const { result, ms } = timed(() => analyzeTemplate(text));
    expect(ms).toBeLessThan(1000);
    expect(result.valid).toBe(false);
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems.slice(0, MAX_PROBLEMS).every((problem) => problem.code === 'UNKNOWN_FIELD')).toBe(true);
    // Sorted by position: the first 100 properties of the text.
    expect(result.problems[0]).toMatchObject({ path: 'node_templates.r.properties.p0', line: 5 });
    expect(result.problems[MAX_PROBLEMS - 1].path).toBe('node_templates.r.properties.p99');
    expect(result.problems[MAX_PROBLEMS]).toEqual({
      code: 'TOO_MANY_PROBLEMS',
      path: '',
      message: '… and about 7900 more problems (only the first 100 are listed)',
      hint: 'fix these and check again',
    });
  });

  it('checks 1 MiB of problems (about 90 000) in a few seconds at most, not minutes', () => {
    const text = unknownPropertiesOfSize(1024 * 1024 - 100);
    const { result, ms } = timed(() => analyzeTemplate(text));
    expect(ms).toBeLessThan(3000);
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems[MAX_PROBLEMS].code).toBe('TOO_MANY_PROBLEMS');
  });

  it('bounds the did-you-mean searches: 1000 misspelt names among 1000 similar ones', () => {
    const { result, ms } = timed(() => analyzeTemplate(manyMisspeltReferences()));
    expect(ms).toBeLessThan(1000);
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems[0]).toMatchObject({ code: 'UNDEFINED_NODE', hint: expect.stringMatching(/^did you mean "n00000x+"\?$/) });
  });

  it('stops early past 1000 node templates or 60 inputs, with the count as the problem', () => {
    const nodes = [HEAD, 'node_templates:', ...Array.from({ length: 12000 }, (_, i) => `  n${i}: {type: Nope, properties: {x: {get_input: m${i}}}}`)].join('\n');
    const many = timed(() => analyzeTemplate(nodes));
    expect(many.ms).toBeLessThan(2000);
    expect(many.result.problems.map((problem) => problem.code)).toEqual(['TOO_MANY_ELEMENTS']);
    const inputs = [HEAD, 'inputs:', ...Array.from({ length: 5000 }, (_, i) => `  i${i}: {type: string, default: x, constraints: [{pattern: "x{${(i % 900) + 1}}"}]}`), 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n');
    const patterns = timed(() => analyzeTemplate(inputs));
    expect(patterns.ms).toBeLessThan(2000);
    expect(patterns.result.problems.map((problem) => problem.code)).toEqual(['TOO_MANY_INPUTS']);
  });

  it('does not repeat a huge key in every problem, nor expand an alias of a huge text', () => {
    const hugeName = 'n'.repeat(500_000);
    const text = `${HEAD}\nnode_templates:\n  ${hugeName}:\n    type: CTC.Core.RandomString\n    ${Array.from({ length: 5000 }, (_, i) => `f${i}: 1`).join('\n    ')}\n`;
    const { result, ms } = timed(() => analyzeTemplate(text));
    expect(ms).toBeLessThan(2000);
    expect(result.problems[0]).toMatchObject({ code: 'INVALID_NAME' });
    // 100 problems of a few hundred characters each, not 100 copies of the name.
    expect(JSON.stringify(result.problems).length).toBeLessThan(100_000);

    const aliasBomb = `${HEAD}\nmetadata:\n  big: &big "${'x'.repeat(500_000)}"\n  copies: [${Array.from({ length: 20 }, () => '*big').join(', ')}]\nnode_templates:\n  r: {type: CTC.Core.RandomString}\n`;
    const expanded = analyzeTemplate(aliasBomb);
    expect(expanded.problems).toMatchObject([{ code: 'TOO_LARGE', message: expect.stringContaining('bytes of text') }]);
  });

  it('cuts long messages and still names problems under long but valid keys', () => {
    const text = `${HEAD}\nnode_templates:\n  r:\n    type: CTC.Core.RandomString\n    properties: {${'k'.repeat(5000)}: 1}\n`;
    const [problem] = analyzeTemplate(text).problems;
    expect(problem.code).toBe('UNKNOWN_FIELD');
    expect(problem.message.length).toBeLessThan(400);
    expect(problem.path.length).toBeLessThan(200);
  });
});

describe('the worst accepted template', () => {
  it('validates, resolves and plans in about a second at most (1 MiB, 1000 elements, resolution near its budget)', () => {
    const text = worstAccepted();
    const { result, ms } = timed(() => {
      const analysis = analyzeTemplate(text);
      const resolved = resolveTemplate(analysis.doc!, {});
      return { analysis, resolved };
    });
    expect(result.analysis.problems).toEqual([]);
    expect(result.resolved.problems).toEqual([]);
    expect(Object.keys(result.resolved.resolved!.nodes)).toHaveLength(1000);
    // About 0.6 s on a quiet 2-core machine; generous for a busy one.
    expect(ms).toBeLessThan(3000);
    // 10 more env entries per node and the same template passes the resolution budget.
    expect(resolveTemplate(analyzeTemplate(worstAccepted(160)).doc!, {}).problems[0]?.code).toBe('RESOLUTION_TOO_LARGE');
  });
});

describe('resolution has a budget of values and bytes', () => {
  it('stops the get_property doubling bomb (23 levels) with RESOLUTION_TOO_LARGE in < 1 s and < 100 MB', () => {
    const analysis = analyzeTemplate(resolutionBomb(23));
    expect(analysis.problems).toEqual([]);
    const before = heapUsed();
    const { result, ms } = timed(() => resolveTemplate(analysis.doc!, {}));
    const grown = process.memoryUsage().heapUsed - before;
    expect(ms).toBeLessThan(1000);
    expect(grown).toBeLessThan(100 * 1024 * 1024);
    expect(result.resolved).toBeNull();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      code: 'RESOLUTION_TOO_LARGE',
      message: expect.stringContaining(`more than ${MAX_RESOLVED_VALUES} values`),
      hint: expect.stringContaining('name only the part you need'),
    });
    expect(result.problems[0].path).toMatch(/^node_templates\.[ab]\d+\.properties\.package/);
  });

  it('stops the concat doubling bomb on bytes, before a 268 MB string exists', () => {
    const analysis = analyzeTemplate(concatBomb(22));
    expect(analysis.problems).toEqual([]);
    const before = heapUsed();
    const { result, ms } = timed(() => resolveTemplate(analysis.doc!, {}));
    expect(ms).toBeLessThan(1000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
    expect(result.problems).toMatchObject([{ code: 'RESOLUTION_TOO_LARGE', message: expect.stringContaining('bytes') }]);
  });

  it('counts get_input copies too: a large input used many times is refused', () => {
    const uses = Array.from({ length: 12 }, (_, i) => `{name: E${i}, value: {get_input: big}}`).join(', ');
    const text = [HEAD, 'inputs:', '  big: {type: string}', 'node_templates:', '  c:', '    type: CTC.ServiceStage.ContainerComponent', `    properties: {package: {image: x, env: [${uses}]}}`, ''].join('\n');
    const analysis = analyzeTemplate(text);
    expect(analysis.valid).toBe(true);
    expect(resolveTemplate(analysis.doc!, { big: 'x'.repeat(1024 * 1024) }).problems[0]?.code).toBe('RESOLUTION_TOO_LARGE');
    expect(resolveTemplate(analysis.doc!, { big: 'x'.repeat(1024) }).problems).toEqual([]);
  });

  it('leaves ordinary templates alone, and keeps marking secrets read through get_property', () => {
    const analysis = analyzeTemplate(templateWithSecrets());
    expect(analysis.problems).toEqual([]);
    const result = resolveTemplate(analysis.doc!, {});
    expect(result.problems).toEqual([]);
    expect(result.resolved!.nodes.spec.secretPaths).toEqual([
      ['package', 'secrets', 0, 'value'],
      ['package', 'secrets', 1, 'value'],
      ['package', 'secrets', 2, 'value'],
    ]);
  });
});

describe('template regular expressions run on RE2 (linear time)', () => {
  it('answers the catastrophic pattern (a+)+b on 31 × "a" + "!" in < 100 ms, at validation and at resolution', () => {
    const { result, ms } = timed(() => analyzeTemplate(catastrophicPattern(31)));
    expect(ms).toBeLessThan(100);
    expect(result.problems).toMatchObject([{ code: 'BAD_DEFAULT', path: 'inputs.name.default', message: expect.stringContaining('does not match the pattern "(a+)+b"') }]);

    const valid = analyzeTemplate(withInput('{type: string, constraints: [{pattern: "(a+)+b"}]}'));
    expect(valid.valid).toBe(true);
    const resolved = timed(() => resolveTemplate(valid.doc!, { v: `${'a'.repeat(4000)}!` }));
    expect(resolved.ms).toBeLessThan(100);
    expect(resolved.result.problems).toMatchObject([{ code: 'CONSTRAINT_FAILED', path: 'inputs.v' }]);
    expect(resolveTemplate(valid.doc!, { v: 'aaab' }).problems).toEqual([]);
  });

  it('matches the whole value, as before', () => {
    const analysis = analyzeTemplate(withInput('{type: string, constraints: [{pattern: "[a-z]+|x"}]}'));
    const doc = analysis.doc as TemplateDoc;
    expect(resolveTemplate(doc, { v: 'abc' }).problems).toEqual([]);
    expect(resolveTemplate(doc, { v: 'x' }).problems).toEqual([]);
    expect(resolveTemplate(doc, { v: 'abc1' }).problems[0]?.code).toBe('CONSTRAINT_FAILED');
    expect(resolveTemplate(doc, { v: '1abc' }).problems[0]?.code).toBe('CONSTRAINT_FAILED');
    const unicode = analyzeTemplate(withInput('{type: string, constraints: [{pattern: "\\\\p{L}{2}"}]}'));
    expect(resolveTemplate(unicode.doc!, { v: 'éü' }).problems).toEqual([]);
    // JavaScript escapes written for the engine before are translated to RE2's.
    const escapes = analyzeTemplate(withInput(`{type: string, constraints: [{pattern: ${JSON.stringify('\\u00e9(?<tail>[^]{2})')}}]}`));
    expect(escapes.problems).toEqual([]);
    expect(resolveTemplate(escapes.doc!, { v: 'é\n!' }).problems).toEqual([]);
    expect(resolveTemplate(escapes.doc!, { v: 'e!!' }).problems[0]?.code).toBe('CONSTRAINT_FAILED');
  });

  it('refuses what RE2 does not support, saying so: backreferences, lookaround, bad syntax', () => {
    const problemOf = (pattern: string) => analyzeTemplate(withInput(`{type: string, constraints: [{pattern: ${JSON.stringify(pattern)}}]}`)).problems;
    expect(problemOf('(a)\\1')).toMatchObject([{ code: 'BAD_CONSTRAINT', path: 'inputs.v.constraints[0]', message: expect.stringContaining('backreference, which RE2 syntax does not support'), hint: expect.stringContaining('RE2 syntax') }]);
    expect(problemOf('(?<n>a)\\k<n>')).toMatchObject([{ code: 'BAD_CONSTRAINT', message: expect.stringContaining('backreference') }]);
    expect(problemOf('a(?=b)')).toMatchObject([{ code: 'BAD_CONSTRAINT', message: expect.stringContaining('lookaround') }]);
    expect(problemOf('(?<!a)b')).toMatchObject([{ code: 'BAD_CONSTRAINT', message: expect.stringContaining('lookaround') }]);
    expect(problemOf('[a-')).toMatchObject([{ code: 'BAD_CONSTRAINT', message: expect.stringContaining('not a valid regular expression (RE2 syntax)') }]);
  });

  it('bounds patterns in length and in compiled size, alone and together', () => {
    const problemOf = (pattern: string) => analyzeTemplate(withInput(`{type: string, constraints: [{pattern: ${JSON.stringify(pattern)}}]}`)).problems;
    expect(problemOf('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatchObject([{ code: 'BAD_CONSTRAINT', message: expect.stringContaining(`at most ${MAX_PATTERN_LENGTH}`) }]);
    // 26 characters, 11 000 instructions: 130 ms per match on a 1 KB value before the size bound.
    const tooComplex = timed(() => problemOf('(?:a|aa|aaa|aaaa){1,1000}b'));
    expect(tooComplex.ms).toBeLessThan(100);
    expect(tooComplex.result).toMatchObject([{ code: 'BAD_CONSTRAINT', message: expect.stringContaining('too complex') }]);
    // Each of these is fine alone (2 001 instructions); the fifth passes the template's budget.
    const together = [HEAD, 'inputs:', ...Array.from({ length: 5 }, (_, i) => `  v${i}: {type: string, constraints: [{pattern: "[a-z]{1,1000}"}]}`), 'node_templates:', '  r: {type: CTC.Core.RandomString}'].join('\n');
    expect(analyzeTemplate(together).problems).toMatchObject([{ code: 'BAD_CONSTRAINT', path: 'inputs.v4.constraints[0]', message: expect.stringContaining('too complex together') }]);
  });

  it('refuses to check a value longer than the pattern limit', () => {
    const analysis = analyzeTemplate(withInput('{type: password, constraints: [{pattern: ".*"}]}'));
    const problems = resolveTemplate(analysis.doc!, { v: 'p'.repeat(5000) }).problems;
    expect(problems).toMatchObject([{ code: 'CONSTRAINT_FAILED', message: expect.stringContaining('too long to be checked against a pattern') }]);
    expect(problems[0].message).not.toContain('ppp');
  });
});

describe('secrets written in a template are masked wherever its text is shown', () => {
  it('masks password defaults and literal secret values, and nothing else', () => {
    const text = templateWithSecrets();
    const shown = maskTemplateBody(text);
    for (const secret of [PASSWORD_DEFAULT, LITERAL_SECRET, RDS_PASSWORD, 'also-secret-default', 'multi-line-secret']) expect(shown).not.toContain(secret);
    expect(shown).toContain('default: "******"');
    expect(shown).toContain('value: {get_input: db_password}');
    expect(shown).toContain('default: "app:1"');
    expect(shown).toContain('env: [{name: MODE, value: production}]');
    // The same text otherwise: same lines, still a template of the same shape.
    expect(shown.split('\n')).toHaveLength(text.split('\n').length);
    const reparsed = analyzeTemplate(shown);
    expect(reparsed.problems.map((problem) => problem.path)).toEqual(['node_templates.db.properties.password']);
  });

  it('masks through anchors, in JSON, inside concat, and under unknown types', () => {
    const yaml = [
      HEAD,
      'metadata: {keep: &pw "anchored-secret"}',
      'inputs:',
      "  p: {type: password, default: *pw, constraints: [{equal: 'eq-secret'}, {valid_values: [vv-secret]}]}",
      'node_templates:',
      '  s:',
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package: {image: i, secrets: [{name: A, value: {concat: ["concat-secret", {get_input: p}]}}, {name: B, value: !!str 1234567}]}',
      '  u: {type: Unknown.Type, properties: {apiToken: token-secret, nested: {db_password: [list-secret]}}}',
      '',
    ].join('\n');
    const shown = maskTemplateBody(yaml);
    for (const secret of ['anchored-secret', 'eq-secret', 'vv-secret', 'concat-secret', '1234567', 'token-secret', 'list-secret']) expect(shown).not.toContain(secret);
    expect(shown).toContain('{get_input: p}');

    const json = JSON.stringify(analyzeTemplate(templateWithSecrets()).doc, null, 2);
    const shownJson = maskTemplateBody(json);
    for (const secret of [PASSWORD_DEFAULT, LITERAL_SECRET, RDS_PASSWORD]) expect(shownJson).not.toContain(secret);
    expect(JSON.parse(shownJson).inputs.db_password.default).toBe('******');
    expect(JSON.parse(shownJson).node_templates.spec.properties.package.secrets[0].value).toEqual({ get_input: 'db_password' });
  });

  it('masks writeOnly properties of types registered at runtime too', () => {
    registerNodeType({ name: 'Test.ApiClient', description: 'test', properties: { type: 'object', properties: { apiKey: { type: 'string', writeOnly: true } } }, attributes: {}, replaceOnChange: [], deployable: true });
    try {
      expect(maskTemplateBody(`${HEAD}\nnode_templates:\n  a: {type: Test.ApiClient, properties: {apiKey: k-123}}\n`)).toContain('apiKey: "******"');
    } finally {
      unregisterNodeType('Test.ApiClient');
    }
  });

  it('shows nothing of a text it cannot parse, and shows a text without secrets unchanged', () => {
    expect(maskTemplateBody(`${HEAD}\ninputs:\n  p: {type: password, default: "unparsed-secret"\n`)).not.toContain('unparsed-secret');
    expect(maskTemplateBody(quickStart)).toBe(quickStart);
  });

  it('masks the values secret inputs are compared with in input specs', () => {
    const specs = maskInputSpecs(inputSpecsOf({ inputs: { p: { type: 'password', default: 'd', constraints: [{ equal: 'e' }, { min_length: 1 }] } } }));
    expect(specs[0]).toMatchObject({ default: '******', constraints: [{ equal: '******' }, { min_length: 1 }] });
  });
});
