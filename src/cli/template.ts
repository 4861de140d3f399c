// `aos template …`: `validate FILE…` checks template files offline, one line per problem in the form
// `FILE:LINE:COL PATH CODE message (hint)`, so editors and CI annotate the right line. The other
// subcommands store templates and versions through the API; the API's problems are printed in
// the same form, against the file that was sent.

import { readFile } from 'node:fs/promises';
import type { TemplateAnalysis, TemplateProblem } from '../template/index.js';
import { expectPositionals, flag, intOption, stringOption, UsageError } from './args.js';
import { CliFailure, errorSelection, expectSuccess, formatProblem as formatAnyProblem, printLines, request, type Connection, type TypedErrorBody } from './client.js';
import { runGroup, type CommandGroup } from './command.js';
import { inlineValue, shortTime, table } from './format.js';

export const summary = 'templates: validate files offline; create, version, list, show, delete';

const USAGE = `usage: aos template validate [--json] FILE…

Checks each template (YAML or JSON) and prints, per problem:
  FILE:LINE:COL PATH CODE message (hint)
or "FILE: ok (N elements)". Exit code 1 when any file has a problem, 2 on wrong usage.
With --json, prints one JSON object per file instead.`;

export function formatProblem(file: string, problem: TemplateProblem): string {
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

// --- through the API ---------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A declared input as `template show` lists it (password defaults come masked). */
interface TemplateInputRow {
  name: string;
  type: string;
  default: unknown;
  description: string | null;
  constraints: unknown;
  required: boolean;
  immutable: boolean;
}

interface TemplateBody<TVersion = { version: string; createdAt: string }> {
  id: string;
  name: string;
  description: string | null;
  updatedAt: string;
  latestVersion: { version: string };
  versions: TVersion[];
}

const TEMPLATE_FIELDS = 'id name description updatedAt latestVersion { version } versions { version createdAt }';

/** `template(id:)` for an id, `template(name:)` otherwise. */
export function templateRefVariables(ref: string): { id: string | null; name: string | null } {
  return UUID.test(ref) ? { id: ref, name: null } : { id: null, name: ref };
}

async function findTemplate(connection: Connection, ref: string): Promise<TemplateBody> {
  const { template } = await request<{ template: TemplateBody | null }>(connection, `query($id: ID, $name: String) { template(id: $id, name: $name) { ${TEMPLATE_FIELDS} } }`, templateRefVariables(ref));
  if (!template) throw new CliFailure(`NotFound: template "${ref}" not found`);
  return template;
}

async function readTemplateFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function versionsLine(template: TemplateBody): string {
  return `template ${template.name} (id ${template.id}), versions ${template.versions.map((v) => v.version).join(', ')}`;
}

const group: CommandGroup = {
  name: 'template',
  summary: 'Templates',
  subcommands: {
    validate: { args: '[--json] FILE…', summary: 'check template files offline: FILE:LINE:COL PATH CODE message (hint)', run: () => Promise.resolve(2) },
    create: {
      args: 'NAME FILE [--version V] [--description TEXT]',
      summary: 'store FILE as template NAME, version V (default 1); problems are printed as FILE:LINE:COL …',
      options: { version: { type: 'string' }, description: { type: 'string' } },
      async run(parsed, ctx) {
        const [name, file] = expectPositionals(parsed, ['NAME', 'FILE']);
        const body = await readTemplateFile(file);
        const data = await ctx.call<{ createTemplate: { __typename: 'CreateTemplateSuccess'; template: TemplateBody } | TypedErrorBody }>(
          `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ${errorSelection('ValidationError', 'QuotaExceeded')} ... on CreateTemplateSuccess { template { ${TEMPLATE_FIELDS} } } } }`,
          { input: { name, body, version: stringOption(parsed, 'version') ?? '1', description: stringOption(parsed, 'description') ?? null } },
        );
        const { template } = expectSuccess(data.createTemplate, { file });
        if (!ctx.json) printLines([`created ${versionsLine(template)}`]);
        return 0;
      },
    },
    version: {
      args: 'TEMPLATE FILE --version V',
      summary: 'add FILE as version V of TEMPLATE (name or id)',
      options: { version: { type: 'string' } },
      async run(parsed, ctx) {
        const [ref, file] = expectPositionals(parsed, ['TEMPLATE', 'FILE']);
        const version = stringOption(parsed, 'version');
        if (!version) throw new UsageError('missing --version V');
        const body = await readTemplateFile(file);
        const template = await findTemplate(ctx.connection, ref);
        const data = await ctx.call<{ createTemplateVersion: { __typename: 'CreateTemplateVersionSuccess'; template: TemplateBody } | TypedErrorBody }>(
          `mutation($input: CreateTemplateVersionInput!) { createTemplateVersion(input: $input) { ${errorSelection('ValidationError')} ... on CreateTemplateVersionSuccess { template { ${TEMPLATE_FIELDS} } } } }`,
          { input: { templateId: template.id, version, body } },
        );
        const updated = expectSuccess(data.createTemplateVersion, { file }).template;
        if (!ctx.json) printLines([`added version ${version}: ${versionsLine(updated)}`]);
        return 0;
      },
    },
    list: {
      args: '[--name TEXT] [--limit N]',
      summary: "the tenant's templates, newest first",
      options: { name: { type: 'string' }, limit: { type: 'string' } },
      async run(parsed, ctx) {
        expectPositionals(parsed, []);
        const data = await ctx.call<{ templates: { edges: { node: TemplateBody }[] } }>(
          `query($first: Int, $name: String) { templates(first: $first, name: $name) { edges { node { ${TEMPLATE_FIELDS} } } } }`,
          { first: intOption(parsed, 'limit', 1, 100) ?? 50, name: stringOption(parsed, 'name') ?? null },
        );
        if (!ctx.json) {
          const rows = data.templates.edges.map(({ node }) => [node.name, node.latestVersion.version, String(node.versions.length), shortTime(node.updatedAt), node.description ?? '']);
          printLines(table(['NAME', 'LATEST', 'VERSIONS', 'UPDATED', 'DESCRIPTION'], rows));
        }
        return 0;
      },
    },
    show: {
      args: 'TEMPLATE [--body] [--version V]',
      summary: 'a template and its versions; --body prints the text of the latest version (or of V)',
      options: { body: { type: 'boolean' }, version: { type: 'string' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['TEMPLATE']);
        const data = await ctx.call<{ template: TemplateBody<{ version: string; createdAt: string; body: string; inputs: TemplateInputRow[] }> | null }>(
          `query($id: ID, $name: String) { template(id: $id, name: $name) { ${TEMPLATE_FIELDS} versions { version createdAt body inputs { name type default description constraints required immutable } } } }`,
          templateRefVariables(ref),
        );
        const template = data.template;
        if (!template) throw new CliFailure(`NotFound: template "${ref}" not found`);
        if (ctx.json) return 0;
        const wanted = stringOption(parsed, 'version');
        if (flag(parsed, 'body') || wanted) {
          const version = wanted ? template.versions.find((v) => v.version === wanted) : template.versions.at(-1);
          if (!version) throw new CliFailure(`NotFound: template "${template.name}" has no version "${wanted}"`);
          process.stdout.write(version.body.endsWith('\n') ? version.body : `${version.body}\n`);
          return 0;
        }
        const latest = template.versions.at(-1);
        printLines([
          `template ${template.name} (id ${template.id})`,
          ...(template.description ? [`  ${template.description}`] : []),
          ...table(['  VERSION', 'CREATED'], template.versions.map((v) => [`  ${v.version}`, shortTime(v.createdAt)])),
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
      },
    },
    delete: {
      args: 'TEMPLATE',
      summary: 'delete a template no stack uses',
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['TEMPLATE']);
        const template = await findTemplate(ctx.connection, ref);
        const data = await ctx.call<{ deleteTemplate: { __typename: 'DeleteTemplateSuccess'; templateId: string } | TypedErrorBody }>(
          `mutation($input: DeleteTemplateInput!) { deleteTemplate(input: $input) { ${errorSelection('InvalidStackState')} ... on DeleteTemplateSuccess { templateId } } }`,
          { input: { templateId: template.id } },
        );
        expectSuccess(data.deleteTemplate);
        if (!ctx.json) printLines([`template ${template.name} deleted`]);
        return 0;
      },
    },
  },
};

export async function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'validate') return validate(rest);
  return runGroup(group, args);
}
