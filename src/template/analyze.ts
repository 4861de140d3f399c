// parse + validate + plan in one call, for the API's validateTemplate and the CLI.

import { inputSpecsOf, maskInputSpecs } from './inputs.js';
import { isPlainObject } from './json-values.js';
import { parseTemplate } from './parse.js';
import { buildPlan, documentDependencies } from './plan.js';
import { ProblemCode, sortProblems } from './problems.js';
import type { TemplateAnalysis, TemplateDoc } from './types.js';
import { validateTemplate } from './validate.js';

/** Never throws: an unexpected failure becomes a problem, so one bad template cannot break a caller. */
export function analyzeTemplate(text: string): TemplateAnalysis {
  try {
    const parsed = parseTemplate(text);
    if (parsed.problems.length > 0 || !isPlainObject(parsed.doc)) {
      return { valid: false, problems: parsed.problems, doc: null, inputs: [], elements: [], outputs: [] };
    }
    const problems = validateTemplate(parsed.doc, parsed.sourceMap);
    const plan = buildPlan(documentDependencies(parsed.doc));
    const outputs = isPlainObject(parsed.doc.outputs) ? Object.keys(parsed.doc.outputs) : [];
    return {
      valid: problems.length === 0,
      problems,
      doc: problems.length === 0 ? (parsed.doc as unknown as TemplateDoc) : null,
      inputs: maskInputSpecs(inputSpecsOf(parsed.doc)),
      elements: [...plan.order, ...plan.blocked],
      outputs,
    };
  } catch (error) {
    return {
      valid: false,
      problems: sortProblems([
        {
          code: ProblemCode.INVALID_VALUE,
          path: '',
          message: `the template could not be checked: ${error instanceof Error ? error.message : String(error)}`,
          hint: 'this is a bug in AOS; please report it with the template',
        },
      ]),
      doc: null,
      inputs: [],
      elements: [],
      outputs: [],
    };
  }
}
