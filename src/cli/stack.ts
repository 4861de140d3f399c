// `aos stack …`: a stack's whole life through the API — preview, create, show, list, outputs,
// events (live with --follow), wait, the lifecycle actions, update, cancel, delete, export.

import { expectPositionals, flag, intOption, listOption, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { CliFailure, errorSelection, expectSuccess, printJson, printLines, type TypedErrorBody } from './client.js';
import { runGroup, type CommandContext, type CommandGroup, type Subcommand } from './command.js';
import { STACK_STATUSES } from '../domain/stack-state.js';
import { inlineValue, seconds, table } from './format.js';
import { clusterRefOf, CREATE_OPTIONS, creationInput, INPUT_OPTIONS, inputsOf } from './stack-options.js';
import {
  findStack,
  PLAN_FIELDS,
  renderEvent,
  renderPlan,
  renderStack,
  renderStackList,
  situation,
  STACK_DETAIL_FIELDS,
  STACK_SUMMARY_FIELDS,
  readableStackRef,
  type PlanBody,
  type StackDetail,
  type StackListRow,
  type StackSummary,
} from './stack-view.js';
import { followEvents, recentEvents, reportWait, startingCursor, waitForStack, type WaitOutcome } from './stack-watch.js';

export const summary = 'stacks: create, show, events, wait, start/stop, update, delete, export';

// --- waiting after a change ------------------------------------------------------------------------

const WAIT_OPTION: OptionSpec = { wait: { type: 'boolean' } };

/** After a change that started an action: with --wait, follow it to its end (exit 1 if it failed). */
async function afterChange(ctx: CommandContext, parsed: ParsedArgs, stack: { id: string; name: string }, since: string | null, startedLine: string): Promise<number> {
  if (!ctx.json) printLines([startedLine]);
  if (!flag(parsed, 'wait')) return 0;
  const outcome = await waitForStack(ctx.connection, stack.id, { printEvents: !ctx.json, since });
  return finishWait(ctx, stack.name, outcome);
}

function finishWait(ctx: CommandContext, name: string, outcome: WaitOutcome): number {
  if (ctx.json) {
    printJson({ wait: outcome });
    return outcome.failed ? 1 : 0;
  }
  return reportWait(name, outcome);
}

/** The newest event's cursor, taken before a change so that --wait prints only what the change caused. */
async function newestCursor(ctx: CommandContext, stackId: string): Promise<string | null> {
  return (await recentEvents(ctx.connection, stackId, 1))[0]?.cursor ?? null;
}

// --- subcommands ---------------------------------------------------------------------------------------

/** `delete --after-current`: how many running actions it waits behind before it gives up. */
const AFTER_CURRENT_ROUNDS = 5;

function isBusy(result: { __typename: string }): result is TypedErrorBody {
  return result.__typename === 'StackBusy';
}

type StackResult<TName extends string> = { __typename: TName; stack: StackSummary } | TypedErrorBody;

/** `start`, `stop`, `retry`, `rollback`, `install`: executeStackAction. */
function actionCommand(action: 'START' | 'STOP' | 'RETRY' | 'ROLLBACK' | 'INSTALL', summaryText: string): Subcommand {
  return {
    args: 'STACK [--wait] [--request-token TOKEN]',
    summary: `${summaryText}; --wait follows it to its end (exit 1 if it failed)`,
    options: { ...WAIT_OPTION, 'request-token': { type: 'string' } },
    async run(parsed, ctx) {
      const [ref] = expectPositionals(parsed, ['STACK']);
      const target = await findStack(ctx.connection, ref);
      const since = flag(parsed, 'wait') ? await newestCursor(ctx, target.id) : null;
      const data = await ctx.call<{ executeStackAction: StackResult<'ExecuteStackActionSuccess'> }>(
        `mutation($input: ExecuteStackActionInput!) { executeStackAction(input: $input) { ${errorSelection('InvalidStackState', 'StackBusy')} ... on ExecuteStackActionSuccess { stack { ${STACK_SUMMARY_FIELDS} } } } }`,
        { input: { stackId: target.id, action, clientRequestToken: stringOption(parsed, 'request-token') ?? null } },
      );
      const { stack } = expectSuccess(data.executeStackAction, { stack: target.name });
      return afterChange(ctx, parsed, stack, since, `${stack.name}: ${action} started — ${situation(stack)}`);
    },
  };
}

const group: CommandGroup = {
  name: 'stack',
  summary: 'Stacks (STACK is a name or an id)',
  subcommands: {
    preview: {
      args: 'NAME --template T [--version V] [--cluster C [--service-cluster S …]] [--input k=v …] [--inputs-file FILE]',
      summary: 'what `create` would deploy: elements in order, waves, resolved properties (secrets masked); nothing is stored',
      options: CREATE_OPTIONS,
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const data = await ctx.call<{ previewStack: { __typename: 'PreviewStackSuccess'; plan: PlanBody } | TypedErrorBody }>(
          `mutation($input: CreateStackInput!) { previewStack(input: $input) { ${errorSelection('ValidationError')} ... on PreviewStackSuccess { plan { ${PLAN_FIELDS} } } } }`,
          { input: await creationInput(parsed, name) },
        );
        const { plan } = expectSuccess(data.previewStack);
        if (!ctx.json) printLines(renderPlan(plan));
        return plan.problems.length ? 1 : 0;
      },
    },
    create: {
      args: 'NAME --template T [--version V] [--cluster C [--service-cluster S …]] [--namespace NS] [--input k=v …] [--inputs-file FILE] [--no-deploy] [--no-rollback] [--timeout MIN] [--wait]',
      summary: 'create a stack from a template and install it (unless --no-deploy)',
      details: [
        '--input NAME=VALUE sets an input (numbers and true/false are converted; repeatable);',
        '--inputs-file FILE reads them from YAML or JSON (what `aos stack export` prints), --input wins.',
        '--no-rollback: a failed install leaves the stack ABNORMAL instead of rolling back.',
        '--timeout MIN: actions past it fail (default 60). --wait: follow the install to its end.',
        '--service-cluster S (repeatable): a cluster of another kind for the elements --cluster does not',
        'deploy, e.g. a POSTGRESQL cluster for CTC.RDS.PostgreSQL beside a DOCKER cluster.',
      ],
      options: { ...CREATE_OPTIONS, ...WAIT_OPTION },
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const data = await ctx.call<{ createStack: StackResult<'CreateStackSuccess'> }>(
          `mutation($input: CreateStackInput!) { createStack(input: $input) { ${errorSelection('ValidationError', 'QuotaExceeded')} ... on CreateStackSuccess { stack { ${STACK_SUMMARY_FIELDS} } } } }`,
          { input: await creationInput(parsed, name) },
        );
        const { stack } = expectSuccess(data.createStack);
        return afterChange(ctx, parsed, stack, null, `stack ${stack.name} created (id ${stack.id}): ${situation(stack)}`);
      },
    },
    list: {
      args: '[--status S] [--name TEXT] [--limit N]',
      summary: "the tenant's stacks, newest first",
      options: { status: { type: 'string' }, name: { type: 'string' }, limit: { type: 'string' } },
      async run(parsed, ctx) {
        expectPositionals(parsed, []);
        const status = stringOption(parsed, 'status')?.toUpperCase();
        if (status !== undefined && !(STACK_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${STACK_STATUSES.join(', ')}`);
        const data = await ctx.call<{ stacks: { edges: { node: StackListRow }[] } }>(
          `query($first: Int, $filter: StackFilter) { stacks(first: $first, filter: $filter) { edges { node { ${STACK_SUMMARY_FIELDS} template { name } templateVersion { version } cluster { name } } } } }`,
          { first: intOption(parsed, 'limit', 1, 100) ?? 50, filter: { status: status ?? null, name: stringOption(parsed, 'name') ?? null } },
        );
        if (!ctx.json) printLines(renderStackList(data.stacks.edges.map((edge) => edge.node)));
        return 0;
      },
    },
    clone: {
      args: 'NAME --from STACK [--cluster C] [--namespace NS] [--input k=v …] [--inputs-file FILE] [--no-deploy] [--wait]',
      summary: 'copy a stack (same template version and inputs, password inputs copied on the server) to another cluster or namespace',
      details: [
        '--input/--inputs-file override inputs of the copy; every other input is the source\'s, secrets',
        'included: they are copied by the server and never pass through this command.',
        'The source\'s service clusters go along (except one of the new cluster\'s kind).',
      ],
      options: { ...INPUT_OPTIONS, ...WAIT_OPTION, from: { type: 'string' }, cluster: { type: 'string' }, namespace: { type: 'string' }, 'no-deploy': { type: 'boolean' }, 'request-token': { type: 'string' } },
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const from = stringOption(parsed, 'from');
        if (!from) throw new UsageError('missing --from STACK (the stack to copy: its name or id)');
        const source = await findStack(ctx.connection, from);
        const input = {
          stackId: source.id,
          name,
          ...clusterRefOf(stringOption(parsed, 'cluster')),
          namespace: stringOption(parsed, 'namespace') ?? null,
          inputs: (await inputsOf(parsed)) ?? null,
          deploy: !flag(parsed, 'no-deploy'),
          clientRequestToken: stringOption(parsed, 'request-token') ?? null,
        };
        const data = await ctx.call<{ cloneStack: StackResult<'CloneStackSuccess'> }>(
          `mutation($input: CloneStackInput!) { cloneStack(input: $input) { ${errorSelection('ValidationError', 'QuotaExceeded')} ... on CloneStackSuccess { stack { ${STACK_SUMMARY_FIELDS} } } } }`,
          { input },
        );
        const { stack } = expectSuccess(data.cloneStack);
        return afterChange(ctx, parsed, stack, null, `stack ${stack.name} cloned from ${source.name} (id ${stack.id}): ${situation(stack)}`);
      },
    },
    show: {
      args: 'STACK',
      summary: 'status, action, inputs, elements with health, outputs, alarms',
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const data = await ctx.call<{ stack: StackDetail | null }>(`query($id: ID, $name: String) { stack(id: $id, name: $name) { ${STACK_DETAIL_FIELDS} } }`, await readableStackRef(ctx.connection, ref));
        if (!data.stack) throw new CliFailure(`NotFound: stack "${ref}" not found`);
        if (!ctx.json) printLines(renderStack(data.stack));
        return 0;
      },
    },
    output: {
      args: 'STACK [OUTPUT]',
      summary: "the stack's outputs; with OUTPUT, that value alone (for scripts: PORT=$(aos stack output web nginx-NodePort))",
      async run(parsed, ctx) {
        const [ref, wanted] = parsed.positionals.length === 1 ? [parsed.positionals[0], undefined] : expectPositionals(parsed, ['STACK', 'OUTPUT']);
        const data = await ctx.call<{ stack: { name: string; outputs: StackDetail['outputs'] } | null }>(
          `query($id: ID, $name: String) { stack(id: $id, name: $name) { name outputs { name value description } } }`,
          await readableStackRef(ctx.connection, ref),
        );
        if (!data.stack) throw new CliFailure(`NotFound: stack "${ref}" not found`);
        if (ctx.json) return 0;
        if (wanted === undefined) {
          printLines(table(['OUTPUT', 'VALUE', 'DESCRIPTION'], data.stack.outputs.map((o) => [o.name, inlineValue(o.value), o.description ?? ''])));
          return 0;
        }
        const output = data.stack.outputs.find((o) => o.name === wanted);
        if (!output) throw new CliFailure(`NotFound: stack ${data.stack.name} has no output "${wanted}"`, [`its outputs: ${data.stack.outputs.map((o) => o.name).join(', ') || 'none'}`]);
        if (output.value === null || output.value === undefined) throw new CliFailure(`output "${wanted}" of stack ${data.stack.name} is not computed yet (is the stack installed?)`);
        printLines([inlineValue(output.value)]);
        return 0;
      },
    },
    events: {
      args: 'STACK [--limit N] [--follow]',
      summary: 'the newest events, newest first; --follow prints them oldest first, then each new one as it comes (Ctrl-C stops)',
      options: { limit: { type: 'string' }, follow: { type: 'boolean', short: 'f' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const limit = intOption(parsed, 'limit', 1, 100) ?? 20;
        const stack = await findStack(ctx.connection, ref);
        if (flag(parsed, 'follow')) return followEvents(ctx.connection, stack, limit, ctx.json);
        const events = await recentEvents(ctx.connection, stack.id, limit);
        if (ctx.json) printJson(events);
        else printLines(events.map(renderEvent));
        return 0;
      },
    },
    wait: {
      args: 'STACK [--quiet] [--max-wait SECONDS]',
      summary: 'wait until the stack is not PROCESSING, printing its events; exit 1 if the action failed',
      options: { quiet: { type: 'boolean', short: 'q' }, 'max-wait': { type: 'string' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const maxWait = intOption(parsed, 'max-wait', 1, 7 * 24 * 3600);
        const stack = await findStack(ctx.connection, ref);
        const printEvents = !ctx.json && !flag(parsed, 'quiet');
        const since = printEvents ? await startingCursor(ctx.connection, stack) : null;
        const outcome = await waitForStack(ctx.connection, stack.id, { printEvents, since, maxWaitMs: maxWait === undefined ? undefined : maxWait * 1000 });
        return finishWait(ctx, stack.name, outcome);
      },
    },
    install: actionCommand('INSTALL', 'install a stack created with --no-deploy (or rolled back to INITIAL)'),
    start: actionCommand('START', 'start a STOPPED or PARTIALLY_STOPPED stack (or restart what died in an ABNORMAL one)'),
    stop: actionCommand('STOP', 'stop a stack'),
    retry: actionCommand('RETRY', 'repeat the action that failed'),
    rollback: actionCommand('ROLLBACK', 'undo a failed install or update'),
    update: {
      args: 'STACK [--version V] [--input k=v …] [--inputs-file FILE] [--reset INPUT …] [--preview] [--wait]',
      summary: 'change inputs and/or the template version; --preview shows the plan (ADD/MODIFY/REPLACE/DELETE) and changes nothing',
      details: ['Inputs not named keep their values; --reset INPUT puts one back to its default.'],
      options: { ...INPUT_OPTIONS, ...WAIT_OPTION, version: { type: 'string' }, reset: { type: 'string', multiple: true }, preview: { type: 'boolean' }, 'request-token': { type: 'string' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const given = (await inputsOf(parsed)) ?? {};
        for (const name of listOption(parsed, 'reset')) given[name] = null;
        const target = await findStack(ctx.connection, ref);
        const input = {
          stackId: target.id,
          templateVersion: stringOption(parsed, 'version') ?? null,
          inputs: Object.keys(given).length ? given : null,
          clientRequestToken: stringOption(parsed, 'request-token') ?? null,
        };
        if (flag(parsed, 'preview')) {
          const data = await ctx.call<{ previewStackUpdate: { __typename: 'PreviewStackUpdateSuccess'; plan: PlanBody } | TypedErrorBody }>(
            `mutation($input: UpdateStackInput!) { previewStackUpdate(input: $input) { ${errorSelection('ValidationError', 'InvalidStackState')} ... on PreviewStackUpdateSuccess { plan { ${PLAN_FIELDS} } } } }`,
            { input: { ...input, clientRequestToken: null } },
          );
          const { plan } = expectSuccess(data.previewStackUpdate);
          if (!ctx.json) printLines(renderPlan(plan));
          return plan.problems.length ? 1 : 0;
        }
        const since = flag(parsed, 'wait') ? await newestCursor(ctx, target.id) : null;
        const data = await ctx.call<{ updateStack: StackResult<'UpdateStackSuccess'> }>(
          `mutation($input: UpdateStackInput!) { updateStack(input: $input) { ${errorSelection('ValidationError', 'InvalidStackState', 'StackBusy')} ... on UpdateStackSuccess { stack { ${STACK_SUMMARY_FIELDS} } } } }`,
          { input },
        );
        const { stack } = expectSuccess(data.updateStack, { stack: target.name });
        return afterChange(ctx, parsed, stack, since, `${stack.name}: UPDATE started — ${situation(stack)}`);
      },
    },
    cancel: {
      args: 'STACK [--wait]',
      summary: 'cancel the running action: what it did so far is undone',
      options: WAIT_OPTION,
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const target = await findStack(ctx.connection, ref);
        const data = await ctx.call<{ cancelStackAction: StackResult<'CancelStackActionSuccess'> }>(
          `mutation($input: StackIdInput!) { cancelStackAction(input: $input) { ${errorSelection('InvalidStackState')} ... on CancelStackActionSuccess { stack { ${STACK_SUMMARY_FIELDS} } } } }`,
          { input: { stackId: target.id } },
        );
        const { stack } = expectSuccess(data.cancelStackAction);
        const requested = `${stack.name}: cancellation of ${stack.action ?? 'the action'} requested`;
        if (!flag(parsed, 'wait')) return afterChange(ctx, parsed, stack, null, requested);
        const since = await startingCursor(ctx.connection, stack);
        if (!ctx.json) printLines([requested]);
        const outcome = await waitForStack(ctx.connection, stack.id, { printEvents: !ctx.json, since });
        // A cancelled action ends FAILED (it did not complete), but the cancel itself succeeded.
        const [last] = await recentEvents(ctx.connection, stack.id, 1);
        if (outcome.stack && last?.type === 'ROLLBACK_COMPLETED' && last.message.includes('cancelled and undone')) {
          if (ctx.json) printJson({ wait: { ...outcome, failed: false, cancelled: true } });
          else printLines([`${stack.name}: ${stack.action ?? 'the action'} cancelled and undone after ${seconds(outcome.elapsedMs)}; the stack is ${outcome.stack.status}`]);
          return 0;
        }
        return finishWait(ctx, stack.name, outcome);
      },
    },
    delete: {
      args: 'STACK [--force] [--wait [--after-current]]',
      summary:
        'delete the stack and its resources; --force removes the record even if resources cannot be removed; --wait --after-current: while an action runs, wait for it to end, then delete',
      options: { ...WAIT_OPTION, force: { type: 'boolean' }, 'after-current': { type: 'boolean' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const target = await findStack(ctx.connection, ref);
        const force = flag(parsed, 'force');
        const afterCurrent = flag(parsed, 'after-current');
        if (afterCurrent && !flag(parsed, 'wait')) throw new UsageError('--after-current waits for the running action to end: use it with --wait');
        if (afterCurrent && force) throw new UsageError('--after-current and --force exclude each other: a forced delete replaces the running action');
        // Queued on the client: the API runs one action per stack. Bounded: another client may
        // start an action between the end of one and our delete, a few times at most.
        for (let round = 1; ; round++) {
          const since = flag(parsed, 'wait') ? await newestCursor(ctx, target.id) : null;
          const data = await ctx.call<{ deleteStack: { __typename: 'DeleteStackSuccess'; stackId: string } | TypedErrorBody }>(
            `mutation($input: DeleteStackInput!) { deleteStack(input: $input) { ${errorSelection('InvalidStackState', 'StackBusy')} ... on DeleteStackSuccess { stackId } } }`,
            { input: { stackId: target.id, force } },
          );
          const result = data.deleteStack;
          if (afterCurrent && isBusy(result) && round < AFTER_CURRENT_ROUNDS) {
            if (!ctx.json) printLines([`${target.name}: ${result.action ?? 'an action'} is running; the delete waits for it to end`]);
            const current = await waitForStack(ctx.connection, target.id, { printEvents: !ctx.json, since });
            // The running action was itself a delete: nothing left to queue.
            if (!current.stack || current.stack.status === 'DELETED') return finishWait(ctx, target.name, current);
            continue;
          }
          expectSuccess(result, { stack: target.name });
          return afterChange(ctx, parsed, target, since, `${target.name}: ${force ? 'force ' : ''}delete started`);
        }
      },
    },
    export: {
      args: 'STACK [--format yaml|json]',
      summary: 'the current inputs (password inputs masked), to keep or to create a copy with --inputs-file',
      options: { format: { type: 'string' } },
      async run(parsed, ctx) {
        const [ref] = expectPositionals(parsed, ['STACK']);
        const format = (stringOption(parsed, 'format') ?? 'yaml').toUpperCase();
        if (format !== 'YAML' && format !== 'JSON') throw new UsageError('--format must be yaml or json');
        const target = await findStack(ctx.connection, ref);
        const data = await ctx.call<{ exportStackInputs: { __typename: 'ExportStackInputsSuccess'; text: string } | TypedErrorBody }>(
          `mutation($input: ExportStackInputsInput!) { exportStackInputs(input: $input) { ${errorSelection()} ... on ExportStackInputsSuccess { text } } }`,
          { input: { stackId: target.id, format } },
        );
        const { text } = expectSuccess(data.exportStackInputs);
        if (!ctx.json) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return 0;
      },
    },
  },
};

export const run = (args: string[]): Promise<number> => runGroup(group, args);
