// analyze + plan of generated templates: 10, 100 and 1000 elements, as chains (each element needs
// the previous one: 1 element per wave) and fans (one database read by every container: 3 waves).
// Target: 1000 elements under 200 ms.
// Then the hostile templates of issue 8, against the template language before its limits (the
// code of commit BASELINE, taken from git into .aos/bench-baseline/) and now, and the worst
// accepted template (validate + resolve + plan). Old runs are at sizes that end: the full-size
// attacks took minutes (ReDoS of 31 characters: 115 s) or exhausted the heap (23-level bomb).
// Run: npx vitest bench --run test/bench/template.bench.ts (or npm run bench -- test/bench/template.bench.ts)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bench, describe } from 'vitest';
import * as current from '../../src/template/index.js';
import { catastrophicPattern, concatBomb, manyMisspeltReferences, resolutionBomb, unknownProperties, unknownPropertiesOfSize, worstAccepted } from '../unit/template/attacks.js';

const { analyzeTemplate, planTemplate } = current;
const HEAD = ['tosca_definitions_version: ctc_tosca_version_1_0', 'inputs:', '  image: {type: string, default: "app:1"}', 'node_templates:'];

function chain(elements: number): string {
  const lines = [...HEAD];
  for (let i = 0; i < elements; i++) {
    lines.push(`  r${i}:`, '    type: CTC.Core.RandomString', `    properties: {length: ${8 + (i % 32)}, characters: hex}`);
    if (i > 0) lines.push(`    requirements: [{dependency: r${i - 1}}]`);
  }
  return lines.join('\n');
}

function fan(elements: number): string {
  const lines = [...HEAD, '  db:', '    type: CTC.RDS.PostgreSQL', '    properties: {database: app, user: app}'];
  let count = 1;
  for (let i = 0; count + 2 <= elements; i++, count += 2) {
    lines.push(
      `  c${i}:`,
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package:',
      '        image: {get_input: image}',
      `        env: [{name: DB_HOST, value: {get_attribute: [db, host]}}, {name: INDEX, value: "${i}"}]`,
      '        ports: [{containerPort: 8080}]',
      `  a${i}:`,
      '    type: CTC.ServiceStage.StatelessApplication',
      `    properties: {instances: ${i % 3}, restartPolicy: Always}`,
      `    requirements: [{package: c${i}}]`,
    );
  }
  if (count < elements) lines.push('  extra: {type: CTC.Core.RandomString}');
  return lines.join('\n');
}

function analyzeAndPlan(text: string): void {
  const analysis = analyzeTemplate(text);
  if (!analysis.valid) throw new Error(`generated template is invalid: ${JSON.stringify(analysis.problems.slice(0, 3))}`);
  planTemplate(analysis.doc!);
}

const cases = [10, 100, 1000].flatMap((elements) => [
  { name: `chain of ${elements}`, elements, text: chain(elements) },
  { name: `fan of ${elements}`, elements, text: fan(elements) },
]);

// Plain timings as well, so the figures read the same outside the bench reporter.
for (const { text } of cases) analyzeAndPlan(text);
for (const { name, text } of cases) {
  const runs = name.includes('1000') ? 20 : 200;
  const started = performance.now();
  for (let i = 0; i < runs; i++) analyzeAndPlan(text);
  const perRun = (performance.now() - started) / runs;
  console.log(`analyze + plan, ${name.padEnd(14)} ${(text.length / 1024).toFixed(0).padStart(4)} KiB: ${perRun.toFixed(2)} ms per run`);
}

// --- issue 8: before and after ----------------------------------------------------------------

/** The commit before the template limits; its src/template is the baseline. */
const BASELINE = '9ff86d6';
type TemplateModule = typeof current;

async function baseline(): Promise<TemplateModule | undefined> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const target = path.join(root, '.aos', 'bench-baseline', BASELINE);
  try {
    if (!existsSync(path.join(target, 'src', 'template', 'index.ts'))) {
      mkdirSync(target, { recursive: true });
      const archive = execFileSync('git', ['-C', root, 'archive', BASELINE, 'src/template'], { maxBuffer: 64 * 1024 * 1024 });
      execFileSync('tar', ['-x', '-C', target], { input: archive });
    }
    return (await import(path.join(target, 'src', 'template', 'index.ts'))) as TemplateModule;
  } catch (error) {
    console.log(`(no baseline: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return undefined;
  }
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function measure(label: string, work: () => string): void {
  const before = heapMb();
  const started = performance.now();
  const outcome = work();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms  heap +${Math.max(0, heapMb() - before).toFixed(0).padStart(4)} MB  ${outcome}`);
}

function validateOutcome(module: TemplateModule, text: string): string {
  const analysis = module.analyzeTemplate(text);
  return `${analysis.problems.length} problems${analysis.problems[0] ? `, first ${analysis.problems[0].code}` : ''}`;
}

function resolveOutcome(module: TemplateModule, text: string): string {
  const analysis = module.analyzeTemplate(text);
  if (!analysis.doc) return `invalid: ${analysis.problems[0]?.code}`;
  const result = module.resolveTemplate(analysis.doc, {});
  if (result.resolved) module.planTemplate(result.resolved);
  return result.resolved ? `resolved, ${(JSON.stringify(result.resolved).length / 1024 / 1024).toFixed(1)} MB` : `${result.problems.length} problems, first ${result.problems[0]?.code}`;
}

const old = await baseline();
// Warm both: schemas compiled, JIT warmed.
for (const module of old ? [old, current] : [current]) module.analyzeTemplate(chain(10));
const attacks: Array<{ label: string; run: (module: TemplateModule) => string; oldToo: boolean }> = [
  ...[2000, 4000, 8000].map((count) => ({ label: `validate ${count} unknown properties (${(unknownProperties(count).length / 1024).toFixed(0)} KiB)`, run: (m: TemplateModule) => validateOutcome(m, unknownProperties(count)), oldToo: true })),
  { label: 'validate 1 MiB of unknown properties', run: (m) => validateOutcome(m, unknownPropertiesOfSize(1024 * 1024 - 100)), oldToo: false },
  ...[100, 200].map((count) => ({ label: `validate ${count} nodes naming 2 × ${count} misspelt nodes`, run: (m: TemplateModule) => validateOutcome(m, manyMisspeltReferences(count)), oldToo: true })),
  { label: 'validate 1000 nodes naming 2000 misspelt nodes', run: (m) => validateOutcome(m, manyMisspeltReferences(1000)), oldToo: false },
  ...[20, 24].map((n) => ({ label: `validate pattern (a+)+b on ${n} × "a" + "!"`, run: (m: TemplateModule) => validateOutcome(m, catastrophicPattern(n)), oldToo: true })),
  { label: 'validate pattern (a+)+b on 31 × "a" + "!"', run: (m) => validateOutcome(m, catastrophicPattern(31)), oldToo: false },
  ...[12, 14, 16].map((levels) => ({ label: `validate + resolve get_property bomb, ${levels} levels`, run: (m: TemplateModule) => resolveOutcome(m, resolutionBomb(levels)), oldToo: true })),
  { label: 'validate + resolve get_property bomb, 23 levels', run: (m) => resolveOutcome(m, resolutionBomb(23)), oldToo: false },
  ...[18, 20].map((levels) => ({ label: `validate + resolve concat bomb, ${levels} levels`, run: (m: TemplateModule) => resolveOutcome(m, concatBomb(levels)), oldToo: true })),
  { label: 'validate + resolve concat bomb, 22 levels', run: (m) => resolveOutcome(m, concatBomb(22)), oldToo: false },
  { label: 'worst accepted: validate + resolve + plan (1 MiB, 1000)', run: (m) => resolveOutcome(m, worstAccepted()), oldToo: true },
];
console.log('\nissue 8 attacks (old = the baseline, at sizes that end; new = now, up to full size)');
for (const attack of attacks) {
  if (old && attack.oldToo) measure(`old: ${attack.label}`, () => attack.run(old));
  measure(`new: ${attack.label}`, () => attack.run(current));
}

describe('analyze + plan', () => {
  for (const { name, text } of cases) {
    bench(name, () => analyzeAndPlan(text), { time: 1000 });
  }
});

describe('issue 8 attacks, now', () => {
  const eightThousand = unknownProperties(8000);
  const pattern = catastrophicPattern(31);
  const bomb = resolutionBomb(23);
  const worst = worstAccepted();
  bench('validate 8000 unknown properties', () => void analyzeTemplate(eightThousand), { time: 1000 });
  bench('validate (a+)+b on 31 × "a" + "!"', () => void analyzeTemplate(pattern), { time: 1000 });
  bench('validate + resolve 23-level bomb', () => void current.resolveTemplate(analyzeTemplate(bomb).doc!, {}), { time: 1000 });
  bench('worst accepted: validate + resolve + plan', () => void resolveOutcome(current, worst), { time: 2000 });
});
