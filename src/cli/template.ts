// `aos template …`: `validate FILE…` checks template files offline, one line per problem in the form
// `FILE:LINE:COL PATH CODE message (hint)`, so editors and CI annotate the right line. The other
// subcommands store templates and versions through the API; the API's problems are printed in
// the same form, against the file that was sent.

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CreateTemplateDocument,
  CreateTemplateVersionDocument,
  DeleteTemplateDocument,
  TemplateDocument,
  TemplatesDocument,
  TemplateVersionsDocument,
  type TemplateVersionSummaryFragment,
} from '../sdk/generated/graphql.js';
import type { TemplateAnalysis, TemplateProblem } from '../template/index.js';
import { flag, intOption, stringOption, UUID } from './args.js';
import { expectSuccess, formatProblem as formatAnyProblem, notFound, type Api } from './client.js';
import { action, subcommand } from './command.js';
import { CliFailure, UsageError } from './failure.js';
import { inlineValue, shortTime, table } from './format.js';
import { emptyList, formatStreamRecord, nodesOf } from './output.js';

function formatProblem(file: string, problem: TemplateProblem): string {
  return formatAnyProblem(problem, file);
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
  // Loaded here, not at the top: the API subcommands do not need the template language.
  const { analyzeTemplate } = await import('../template/index.js');
  return analyzeTemplate(text);
}

// --- through the API ---------------------------------------------------------------------------------

/** `template(id:)` for an id, `template(name:)` otherwise. */
function templateRefVariables(ref: string): { id: string | null; name: string | null } {
  return UUID.test(ref) ? { id: ref, name: null } : { id: null, name: ref };
}

async function findTemplate(api: Api, ref: string): Promise<{ id: string; name: string }> {
  const { template } = await api.request(TemplateDocument, templateRefVariables(ref));
  if (!template) throw notFound(`template "${ref}" not found`);
  return template;
}

async function readTemplateFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function versionsLine(template: { id: string; name: string; versions: TemplateVersionSummaryFragment[] }): string {
  return `template ${template.name} (id ${template.id}), versions ${template.versions.map((v) => v.version).join(', ')}`;
}

export function register(program: Command): void {
  const template = program.command('template').description('templates: validate files offline; create, version, list, show, delete');

  subcommand(template, 'validate', 'check template files offline: FILE:LINE:COL PATH CODE message (hint)')
    .argument('<FILE...>', 'template files (YAML or JSON)')
    .addHelpText('after', '\nPrints, per problem, FILE:LINE:COL PATH CODE message (hint), or "FILE: ok (N elements)".\nExit code 1 when any file has a problem. -o json prints one JSON object per file and line, -o yaml a document per file.')
    .action(
      action(async (ctx, files) => {
        let failed = false;
        for (const file of files) {
          const analysis = await analyzeFile(file);
          failed ||= !analysis.valid;
          if (!ctx.readable) {
            const { doc: _doc, ...shown } = analysis;
            process.stdout.write(await formatStreamRecord({ file, ...shown }, ctx.output === 'yaml' ? 'yaml' : 'json'));
          } else if (analysis.valid) {
            process.stdout.write(`${file}: ok (${analysis.elements.length} element${analysis.elements.length === 1 ? '' : 's'})\n`);
          } else {
            for (const problem of analysis.problems) process.stdout.write(`${formatProblem(file, problem)}\n`);
          }
        }
        return failed ? 1 : 0;
      }),
    );

  subcommand(template, 'create', 'store FILE as template NAME, version V (default 1); problems are printed as FILE:LINE:COL …')
    .argument('<NAME>', 'the template name')
    .argument('<FILE>', 'the template (YAML or JSON)')
    .option('--version <V>', 'the version label (default 1)')
    .option('--description <TEXT>', 'a description')
    .action(
      action(async (ctx, [name, file], options) => {
        const body = await readTemplateFile(file);
        const data = await ctx.api.request(CreateTemplateDocument, { input: { name, body, version: stringOption(options, 'version') ?? '1', description: stringOption(options, 'description') ?? null } });
        const { template: created } = expectSuccess(data.createTemplate, 'CreateTemplateSuccess', { file });
        await ctx.emit(created, () => [`created ${versionsLine(created)}`]);
        return 0;
      }),
    );

  subcommand(template, 'version', 'add FILE as version V of TEMPLATE (name or id)')
    .argument('<TEMPLATE>', 'name or id')
    .argument('<FILE>', 'the template (YAML or JSON)')
    .option('--version <V>', 'the new version label (required)')
    .action(
      action(async (ctx, [ref, file], options) => {
        const version = stringOption(options, 'version');
        if (!version) throw new UsageError('missing --version V');
        const body = await readTemplateFile(file);
        const found = await findTemplate(ctx.api, ref);
        const data = await ctx.api.request(CreateTemplateVersionDocument, { input: { templateId: found.id, version, body } });
        const updated = expectSuccess(data.createTemplateVersion, 'CreateTemplateVersionSuccess', { file }).template;
        await ctx.emit(updated, () => [`added version ${version}: ${versionsLine(updated)}`]);
        return 0;
      }),
    );

  subcommand(template, 'list', "the tenant's templates, newest first")
    .option('--name <TEXT>', 'only names containing this text')
    .option('--limit <N>', 'at most N templates (1-100, default 50)')
    .action(
      action(async (ctx, _args, options) => {
        const data = await ctx.api.request(TemplatesDocument, { first: intOption(options, 'limit', 1, 100) ?? 50, name: stringOption(options, 'name') ?? null });
        const templates = nodesOf(data.templates);
        await ctx.emit(templates, () =>
          templates.length
            ? table(
                ['NAME', 'LATEST', 'VERSIONS', 'UPDATED', 'DESCRIPTION'],
                templates.map((node) => [node.name, node.latestVersion.version, String(node.versions.length), shortTime(node.updatedAt), node.description ?? '']),
              )
            : emptyList('templates'),
        );
        return 0;
      }),
    );

  subcommand(template, 'show', 'a template, its versions and the inputs of the latest; --body prints the text of the latest version (or of V)')
    .argument('<TEMPLATE>', 'name or id')
    .option('--body', 'print the template text')
    .option('--version <V>', 'with --body (or alone): that version\'s text')
    .action(
      action(async (ctx, [ref], options) => {
        const { template: found } = await ctx.api.request(TemplateVersionsDocument, templateRefVariables(ref));
        if (!found) throw notFound(`template "${ref}" not found`);
        const wanted = stringOption(options, 'version');
        if (flag(options, 'body') || wanted) {
          const version = wanted ? found.versions.find((v) => v.version === wanted) : found.versions.at(-1);
          if (!version) throw notFound(`template "${found.name}" has no version "${wanted}"`);
          if (ctx.readable) process.stdout.write(version.body.endsWith('\n') ? version.body : `${version.body}\n`);
          else await ctx.emit(version, () => []);
          return 0;
        }
        const latest = found.versions.at(-1);
        await ctx.emit(found, () => [
          `template ${found.name} (id ${found.id})`,
          ...(found.description ? [`  ${found.description}`] : []),
          ...table(['  VERSION', 'CREATED'], found.versions.map((v) => [`  ${v.version}`, shortTime(v.createdAt)])),
          '',
          ...(latest && latest.inputs.length > 0
            ? [
                `inputs of version ${latest.version}:`,
                ...table(
                  ['  INPUT', 'TYPE', 'DEFAULT', 'CONSTRAINTS', 'DESCRIPTION'],
                  latest.inputs.map((input) => [
                    `  ${input.name}`,
                    `${input.type}${input.immutable ? ' (immutable)' : ''}`,
                    input.default === null ? (input.required ? '(required)' : '') : inlineValue(input.default),
                    input.constraints ? inlineValue(input.constraints) : '',
                    input.description ?? '',
                  ]),
                ),
              ]
            : [`inputs of version ${latest?.version ?? '?'}: none`]),
        ]);
        return 0;
      }),
    );

  subcommand(template, 'delete', 'delete a template no stack uses')
    .argument('<TEMPLATE>', 'name or id')
    .action(
      action(async (ctx, [ref]) => {
        const found = await findTemplate(ctx.api, ref);
        const data = await ctx.api.request(DeleteTemplateDocument, { input: { templateId: found.id } });
        const { templateId } = expectSuccess(data.deleteTemplate, 'DeleteTemplateSuccess');
        await ctx.emit({ templateId, name: found.name }, () => [`template ${found.name} deleted`]);
        return 0;
      }),
    );
}
