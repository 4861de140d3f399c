// `aos template validate FILE…`: checks template files offline, one line per problem in the form
// `FILE:LINE:COL PATH CODE message (hint)`, so editors and CI annotate the right line.

import { readFile } from 'node:fs/promises';
import { analyzeTemplate, type TemplateAnalysis, type TemplateProblem } from '../template/index.js';

export const summary = 'work with templates offline: `aos template validate FILE…`';

const USAGE = `usage: aos template validate [--json] FILE…

Checks each template (YAML or JSON) and prints, per problem:
  FILE:LINE:COL PATH CODE message (hint)
or "FILE: ok (N elements)". Exit code 1 when any file has a problem, 2 on wrong usage.
With --json, prints one JSON object per file instead.`;

export function formatProblem(file: string, problem: TemplateProblem): string {
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${file}:${problem.line ?? 1}:${problem.column ?? 1} ${problem.path || '(document)'} ${problem.code} ${problem.message}${hint}`;
}

async function analyzeFile(file: string): Promise<TemplateAnalysis> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String((error as NodeJS.ErrnoException).code) : String(error);
    return {
      valid: false,
      problems: [{ code: 'UNREADABLE_FILE', path: '', line: 1, column: 1, message: `cannot read the file (${reason})` }],
      doc: null,
      inputs: [],
      elements: [],
      outputs: [],
    };
  }
  return analyzeTemplate(text);
}

async function validate(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const files = args.filter((arg) => arg !== '--json');
  if (files.length === 0 || files.some((file) => file.startsWith('-'))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const analysis = await analyzeFile(file);
    failed ||= !analysis.valid;
    if (json) {
      const { doc: _doc, ...shown } = analysis;
      process.stdout.write(`${JSON.stringify({ file, ...shown })}\n`);
    } else if (analysis.valid) {
      process.stdout.write(`${file}: ok (${analysis.elements.length} element${analysis.elements.length === 1 ? '' : 's'})\n`);
    } else {
      for (const problem of analysis.problems) process.stdout.write(`${formatProblem(file, problem)}\n`);
    }
  }
  return failed ? 1 : 0;
}

export async function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'validate') return validate(rest);
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return subcommand === undefined ? 2 : 0;
  }
  process.stderr.write(`aos template: unknown subcommand "${subcommand}"\n${USAGE}\n`);
  return 2;
}
