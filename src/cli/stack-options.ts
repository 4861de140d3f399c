// The options several `aos stack` subcommands share and how they become the API's input: the stack
// inputs (--inputs-file overlaid with --input k=v, for create, preview, update and clone) and the
// creation settings of create and preview (CreateStackInput).

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CreateStackInput } from '../sdk/generated/graphql.js';
import { collect, intOption, keyValuePairs, listOption, stringOption, UUID, type Options } from './args.js';
import { CliFailure, UsageError } from './failure.js';

/** --input and --inputs-file. */
export function addInputOptions(command: Command): Command {
  return command
    .option('--input <NAME=VALUE>', 'set an input (numbers and true/false are converted; repeatable)', collect, [])
    .option('--inputs-file <FILE>', 'read inputs from YAML or JSON (what `aos stack export` prints); --input wins');
}

/** --inputs-file (YAML or JSON, e.g. what `aos stack export` printed) overlaid with each --input k=v. */
export async function inputsOf(options: Options): Promise<Record<string, unknown> | undefined> {
  const file = stringOption(options, 'inputsFile');
  const pairs = keyValuePairs(listOption(options, 'input'), 'input');
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
      const { load } = await import('js-yaml');
      parsedFile = load(text);
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

/** The options of `create` and `preview`. */
export function addCreateOptions(command: Command): Command {
  return addInputOptions(command)
    .option('--template <T>', 'the template: its name or id (required)')
    .option('--version <V>', 'the template version (default: the latest)')
    .option('--cluster <C>', 'the cluster to deploy on: its name or id')
    .option('--service-cluster <S>', 'a cluster of another kind for the elements --cluster does not deploy, e.g. a POSTGRESQL cluster (repeatable)', collect, [])
    .option('--namespace <NS>', 'the namespace on the cluster')
    .option('--description <TEXT>', 'a description of the stack')
    .option('--no-deploy', 'store the stack without installing it (install later with `aos stack install`)')
    .option('--no-rollback', 'a failed install leaves the stack ABNORMAL instead of rolling back')
    .option('--timeout <MIN>', 'actions running longer fail (minutes, 1-1440; default 60)')
    .option('--request-token <TOKEN>', 'makes the request idempotent: a repeat returns the same stack');
}

/** A --cluster value as the API takes it: an id or a name. */
export function clusterRefOf(cluster: string | undefined): { clusterId: string } | { clusterName: string } | Record<string, never> {
  if (!cluster) return {};
  return UUID.test(cluster) ? { clusterId: cluster } : { clusterName: cluster };
}

/** The CreateStackInput of `create` and `preview`. */
export async function creationInput(options: Options, name: string): Promise<CreateStackInput> {
  const template = stringOption(options, 'template');
  if (!template) throw new UsageError('missing --template TEMPLATE (its name or id)');
  const serviceClusters = listOption(options, 'serviceCluster');
  return {
    name,
    ...(UUID.test(template) ? { templateId: template } : { templateName: template }),
    templateVersion: stringOption(options, 'version') ?? null,
    ...clusterRefOf(stringOption(options, 'cluster')),
    ...(serviceClusters.length ? { serviceClusters } : {}),
    namespace: stringOption(options, 'namespace') ?? null,
    description: stringOption(options, 'description') ?? null,
    inputs: (await inputsOf(options)) ?? null,
    timeoutMinutes: intOption(options, 'timeout', 1, 1440) ?? null,
    autoRollback: options.rollback !== false,
    deploy: options.deploy !== false,
    clientRequestToken: stringOption(options, 'requestToken') ?? null,
  };
}
