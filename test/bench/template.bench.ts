// analyze + plan of generated templates: 10, 100 and 1000 elements, as chains (each element needs
// the previous one: 1 element per wave) and fans (one database read by every container: 3 waves).
// Target: 1000 elements under 200 ms. Run: npx vitest bench --run test/bench/template.bench.ts

import { bench, describe } from 'vitest';
import { analyzeTemplate, planTemplate } from '../../src/template/index.js';

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

describe('analyze + plan', () => {
  for (const { name, text } of cases) {
    bench(name, () => analyzeAndPlan(text), { time: 1000 });
  }
});
