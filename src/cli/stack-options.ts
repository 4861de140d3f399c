// The options several `aos stack` subcommands share and how they become the API's input: the stack
// inputs (--inputs-file overlaid with --input k=v, for create, preview and update) and the creation
// settings of create and preview (CreateStackInput).

import { readFile } from 'node:fs/promises';
import { load as parseYaml } from 'js-yaml';
import { flag, intOption, keyValuePairs, listOption, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { CliFailure } from './client.js';

export const INPUT_OPTIONS: OptionSpec = {
  input: { type: 'string', multiple: true },
  'inputs-file': { type: 'string' },
};

/** --inputs-file (YAML or JSON, e.g. what `aos stack export` printed) overlaid with each --input k=v. */
export async function inputsOf(parsed: ParsedArgs): Promise<Record<string, unknown> | undefined> {
  const file = stringOption(parsed, 'inputs-file');
  const pairs = keyValuePairs(listOption(parsed, 'input'), 'input');
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliFailure(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let parsedFile: unknown;
    try {
      parsedFile = parseYaml(text);
    } catch (error) {
      throw new CliFailure(`${file} is not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
    }
    if (parsedFile === null || parsedFile === undefined) parsedFile = {};
    if (typeof parsedFile !== 'object' || Array.isArray(parsedFile)) throw new CliFailure(`${file} must hold a mapping of input names to values`);
    fromFile = parsedFile as Record<string, unknown>;
  }
  const inputs = { ...fromFile, ...pairs };
  return file || Object.keys(pairs).length ? inputs : undefined;
}

export const CREATE_OPTIONS: OptionSpec = {
  ...INPUT_OPTIONS,
  template: { type: 'string' },
  version: { type: 'string' },
  cluster: { type: 'string' },
  'service-cluster': { type: 'string', multiple: true },
  namespace: { type: 'string' },
  description: { type: 'string' },
  'no-deploy': { type: 'boolean' },
  'no-rollback': { type: 'boolean' },
  timeout: { type: 'string' },
  'request-token': { type: 'string' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A --cluster value as the API takes it: an id or a name. */
export function clusterRefOf(cluster: string | undefined): { clusterId: string } | { clusterName: string } | Record<string, never> {
  if (!cluster) return {};
  return UUID.test(cluster) ? { clusterId: cluster } : { clusterName: cluster };
}

/** The CreateStackInput of `create` and `preview`. */
export async function creationInput(parsed: ParsedArgs, name: string): Promise<Record<string, unknown>> {
  const template = stringOption(parsed, 'template');
  if (!template) throw new UsageError('missing --template TEMPLATE (its name or id)');
  const serviceClusters = listOption(parsed, 'service-cluster');
  return {
    name,
    ...(UUID.test(template) ? { templateId: template } : { templateName: template }),
    templateVersion: stringOption(parsed, 'version') ?? null,
    ...clusterRefOf(stringOption(parsed, 'cluster')),
    ...(serviceClusters.length ? { serviceClusters } : {}),
    namespace: stringOption(parsed, 'namespace') ?? null,
    description: stringOption(parsed, 'description') ?? null,
    inputs: (await inputsOf(parsed)) ?? null,
    timeoutMinutes: intOption(parsed, 'timeout', 1, 1440) ?? null,
    autoRollback: !flag(parsed, 'no-rollback'),
    deploy: !flag(parsed, 'no-deploy'),
    clientRequestToken: stringOption(parsed, 'request-token') ?? null,
  };
}
