// `aos stack …`: a stack's whole life through the API — preview, create, clone, show, list, outputs,
// events (live with --follow), wait, the lifecycle actions, update, cancel, delete, export.

import type { Command } from 'commander';
import {
  CancelStackActionDocument,
  CloneStackDocument,
  CreateStackDocument,
  DeleteStackDocument,
  ExecuteStackActionDocument,
  ExportStackInputsDocument,
  PreviewStackDocument,
  PreviewStackUpdateDocument,
  StackDocument,
  StacksDocument,
  UpdateStackDocument,
  type StackActionKind,
  type StackStatus,
} from '../sdk/generated/graphql.js';
import { STACK_STATUSES } from '../domain/stack-state.js';
import { collect, flag, intOption, listOption, stringOption, type Options } from './args.js';
import { expectSuccess, notFound } from './client.js';
import { action, subcommand, type CommandContext } from './command.js';
import { CliFailure, UsageError } from './failure.js';
import { inlineValue, seconds, table } from './format.js';
import { emptyList, nodesOf, printLines } from './output.js';
import { addCreateOptions, addInputOptions, clusterRefOf, creationInput, inputsOf } from './stack-options.js';
import { findStack, readableStackRef, renderEvent, renderPlan, renderStack, renderStackList, situation, type StackSummary } from './stack-view.js';
import { followEvents, recentEvents, reportWait, startingCursor, waitForStack, type WaitOutcome } from './stack-watch.js';

// --- waiting after a change ------------------------------------------------------------------------

const WAIT_HELP = 'follow the action to its end, printing its events (exit 1 if it failed)';

/** What -o json/yaml prints after a wait: the stack as it ended, and how the wait went. */
function waitResult(stack: StackSummary, outcome: WaitOutcome): unknown {
  return { ...(outcome.stack ?? { ...stack, status: 'DELETED' }), wait: { failed: outcome.failed, elapsedMs: outcome.elapsedMs } };
}

function finishWait(ctx: CommandContext, stack: StackSummary, outcome: WaitOutcome): Promise<number> | number {
  if (ctx.readable) return reportWait(stack.name, outcome);
  return ctx.emit(waitResult(stack, outcome), () => []).then(() => (outcome.failed ? 1 : 0));
}

/** After a change that started an action: the stack, and with --wait its action followed to the end. */
async function afterChange(ctx: CommandContext, options: Options, stack: StackSummary, since: string | null, startedLine: string): Promise<number> {
  if (!flag(options, 'wait')) {
    await ctx.emit(stack, () => [startedLine]);
    return 0;
  }
  if (ctx.readable) printLines([startedLine]);
  const outcome = await waitForStack(ctx.api, stack.id, { printEvents: ctx.readable, since });
  return finishWait(ctx, stack, outcome);
}

/** The newest event's cursor, taken before a change so that --wait prints only what the change caused. */
async function newestCursor(ctx: CommandContext, stackId: string): Promise<string | null> {
  return (await recentEvents(ctx.api, stackId, 1))[0]?.cursor ?? null;
}

// --- subcommands ---------------------------------------------------------------------------------------

/** `delete --after-current`: how many running actions it waits behind before it gives up. */
const AFTER_CURRENT_ROUNDS = 5;

/** `start`, `stop`, `retry`, `rollback`, `install`: executeStackAction. */
function addActionCommand(stack: Command, name: string, kind: StackActionKind, summaryText: string): void {
  subcommand(stack, name, `${summaryText}; --wait follows it to its end (exit 1 if it failed)`)
    .argument('<STACK>', 'name or id')
    .option('--wait', WAIT_HELP)
    .option('--request-token <TOKEN>', 'makes the request idempotent')
    .action(
      action(async (ctx, [ref], options) => {
        const target = await findStack(ctx.api, ref);
        const since = flag(options, 'wait') ? await newestCursor(ctx, target.id) : null;
        const data = await ctx.api.request(ExecuteStackActionDocument, { input: { stackId: target.id, action: kind, clientRequestToken: stringOption(options, 'requestToken') ?? null } });
        const { stack } = expectSuccess(data.executeStackAction, 'ExecuteStackActionSuccess', { stack: target.name });
        return afterChange(ctx, options, stack, since, `${stack.name}: ${kind} started — ${situation(stack)}`);
      }),
    );
}

export function register(program: Command): void {
  const stack = program.command('stack').description('stacks: create, show, events, wait, start/stop, update, delete, export (STACK is a name or an id)');

  addCreateOptions(subcommand(stack, 'preview', 'what `create` would deploy: elements in order, waves, resolved properties (secrets masked); nothing is stored'))
    .argument('<NAME>', 'the stack name')
    .action(
      action(async (ctx, [name], options) => {
        const data = await ctx.api.request(PreviewStackDocument, { input: await creationInput(options, name) });
        const { plan } = expectSuccess(data.previewStack, 'PreviewStackSuccess');
        await ctx.emit(plan, () => renderPlan(plan));
        return plan.problems.length ? 1 : 0;
      }),
    );

  addCreateOptions(subcommand(stack, 'create', 'create a stack from a template and install it (unless --no-deploy)'))
    .argument('<NAME>', 'the stack name')
    .option('--wait', WAIT_HELP)
    .action(
      action(async (ctx, [name], options) => {
        const data = await ctx.api.request(CreateStackDocument, { input: await creationInput(options, name) });
        const { stack: created } = expectSuccess(data.createStack, 'CreateStackSuccess');
        return afterChange(ctx, options, created, null, `stack ${created.name} created (id ${created.id}): ${situation(created)}`);
      }),
    );

  subcommand(stack, 'list', "the tenant's stacks, newest first")
    .option('--status <S>', `only stacks in this status (${STACK_STATUSES.join(', ').toLowerCase()})`)
    .option('--name <TEXT>', 'only names containing this text')
    .option('--limit <N>', 'at most N stacks (1-100, default 50)')
    .action(
      action(async (ctx, _args, options) => {
        const status = stringOption(options, 'status')?.toUpperCase();
        if (status !== undefined && !(STACK_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${STACK_STATUSES.join(', ')}`);
        const data = await ctx.api.request(StacksDocument, {
          first: intOption(options, 'limit', 1, 100) ?? 50,
          filter: { status: (status as StackStatus | undefined) ?? null, name: stringOption(options, 'name') ?? null },
        });
        const stacks = nodesOf(data.stacks);
        await ctx.emit(stacks, () => renderStackList(stacks));
        return 0;
      }),
    );

  addInputOptions(subcommand(stack, 'clone', 'copy a stack (same template version and inputs, password inputs copied on the server) to another cluster or namespace'))
    .argument('<NAME>', 'the new stack name')
    .option('--from <STACK>', 'the stack to copy: its name or id (required)')
    .option('--cluster <C>', 'the cluster of the copy (default: the source\'s)')
    .option('--namespace <NS>', 'the namespace of the copy')
    .option('--no-deploy', 'store the copy without installing it')
    .option('--request-token <TOKEN>', 'makes the request idempotent')
    .option('--wait', WAIT_HELP)
    .addHelpText(
      'after',
      "\n--input/--inputs-file override inputs of the copy; every other input is the source's, secrets\nincluded: they are copied by the server and never pass through this command.\nThe source's service clusters go along (except one of the new cluster's kind).",
    )
    .action(
      action(async (ctx, [name], options) => {
        const from = stringOption(options, 'from');
        if (!from) throw new UsageError('missing --from STACK (the stack to copy: its name or id)');
        const source = await findStack(ctx.api, from);
        const data = await ctx.api.request(CloneStackDocument, {
          input: {
            stackId: source.id,
            name,
            ...clusterRefOf(stringOption(options, 'cluster')),
            namespace: stringOption(options, 'namespace') ?? null,
            inputs: (await inputsOf(options)) ?? null,
            deploy: options.deploy !== false,
            clientRequestToken: stringOption(options, 'requestToken') ?? null,
          },
        });
        const { stack: copy } = expectSuccess(data.cloneStack, 'CloneStackSuccess');
        return afterChange(ctx, options, copy, null, `stack ${copy.name} cloned from ${source.name} (id ${copy.id}): ${situation(copy)}`);
      }),
    );

  subcommand(stack, 'show', 'status, action, inputs, elements with health, outputs, alarms')
    .argument('<STACK>', 'name or id')
    .action(
      action(async (ctx, [ref]) => {
        const { stack: found } = await ctx.api.request(StackDocument, await readableStackRef(ctx.api, ref));
        if (!found) throw notFound(`stack "${ref}" not found`);
        await ctx.emit(found, () => renderStack(found));
        return 0;
      }),
    );

  subcommand(stack, 'output', "the stack's outputs; with OUTPUT, that value alone (for scripts: PORT=$(aos stack output web nginx-NodePort))")
    .argument('<STACK>', 'name or id')
    .argument('[OUTPUT]', 'one output')
    .action(
      action(async (ctx, [ref, wanted]) => {
        const { stack: found } = await ctx.api.request(StackDocument, await readableStackRef(ctx.api, ref));
        if (!found) throw notFound(`stack "${ref}" not found`);
        const outputs = found.outputs;
        if (wanted === undefined) {
          await ctx.emit(outputs, () => (outputs.length ? table(['OUTPUT', 'VALUE', 'DESCRIPTION'], outputs.map((o) => [o.name, inlineValue(o.value), o.description ?? ''])) : emptyList('outputs')));
          return 0;
        }
        const output = outputs.find((o) => o.name === wanted);
        if (!output) throw notFound(`stack ${found.name} has no output "${wanted}"`, [`its outputs: ${outputs.map((o) => o.name).join(', ') || 'none'}`]);
        if (ctx.readable && (output.value === null || output.value === undefined)) throw new CliFailure(`output "${wanted}" of stack ${found.name} is not computed yet (is the stack installed?)`);
        await ctx.emit(output, () => [inlineValue(output.value)]);
        return 0;
      }),
    );

  subcommand(stack, 'events', 'the newest events, newest first; --follow prints them oldest first, then each new one as it comes (Ctrl-C stops)')
    .argument('<STACK>', 'name or id')
    .option('--limit <N>', 'how many (1-100, default 20)')
    .option('-f, --follow', 'then print new events as they are written (-o json: one object per line)')
    .action(
      action(async (ctx, [ref], options) => {
        const limit = intOption(options, 'limit', 1, 100) ?? 20;
        const found = await findStack(ctx.api, ref);
        if (flag(options, 'follow')) return followEvents(ctx.api, found, limit, ctx.output);
        const events = await recentEvents(ctx.api, found.id, limit);
        await ctx.emit(events, () => (events.length ? events.map(renderEvent) : emptyList('events')));
        return 0;
      }),
    );

  subcommand(stack, 'wait', 'wait until the stack is not PROCESSING, printing its events; exit 1 if the action failed')
    .argument('<STACK>', 'name or id')
    .option('-q, --quiet', 'print only the outcome')
    .option('--max-wait <SECONDS>', 'give up (exit 1) after this long')
    .action(
      action(async (ctx, [ref], options) => {
        const maxWait = intOption(options, 'maxWait', 1, 7 * 24 * 3600);
        const found = await findStack(ctx.api, ref);
        const printEvents = ctx.readable && !flag(options, 'quiet');
        const since = printEvents ? await startingCursor(ctx.api, found) : null;
        const outcome = await waitForStack(ctx.api, found.id, { printEvents, since, maxWaitMs: maxWait === undefined ? undefined : maxWait * 1000 });
        return finishWait(ctx, found, outcome);
      }),
    );

  addActionCommand(stack, 'install', 'INSTALL', 'install a stack created with --no-deploy (or rolled back to INITIAL)');
  addActionCommand(stack, 'start', 'START', 'start a STOPPED or PARTIALLY_STOPPED stack (or restart what died in an ABNORMAL one)');
  addActionCommand(stack, 'stop', 'STOP', 'stop a stack');
  addActionCommand(stack, 'retry', 'RETRY', 'repeat the action that failed');
  addActionCommand(stack, 'rollback', 'ROLLBACK', 'undo a failed install or update');

  addInputOptions(subcommand(stack, 'update', 'change inputs and/or the template version; --preview shows the plan (ADD/MODIFY/REPLACE/DELETE) and changes nothing'))
    .argument('<STACK>', 'name or id')
    .option('--version <V>', 'the template version to move to')
    .option('--reset <INPUT>', 'put an input back to its default (repeatable)', collect, [])
    .option('--preview', 'print the plan; change nothing')
    .option('--request-token <TOKEN>', 'makes the request idempotent')
    .option('--wait', WAIT_HELP)
    .addHelpText('after', '\nInputs not named keep their values.')
    .action(
      action(async (ctx, [ref], options) => {
        const given = (await inputsOf(options)) ?? {};
        for (const name of listOption(options, 'reset')) given[name] = null;
        const target = await findStack(ctx.api, ref);
        const input = {
          stackId: target.id,
          templateVersion: stringOption(options, 'version') ?? null,
          inputs: Object.keys(given).length ? given : null,
          clientRequestToken: stringOption(options, 'requestToken') ?? null,
        };
        if (flag(options, 'preview')) {
          const data = await ctx.api.request(PreviewStackUpdateDocument, { input: { ...input, clientRequestToken: null } });
          const { plan } = expectSuccess(data.previewStackUpdate, 'PreviewStackUpdateSuccess');
          await ctx.emit(plan, () => renderPlan(plan));
          return plan.problems.length ? 1 : 0;
        }
        const since = flag(options, 'wait') ? await newestCursor(ctx, target.id) : null;
        const data = await ctx.api.request(UpdateStackDocument, { input });
        const { stack: updated } = expectSuccess(data.updateStack, 'UpdateStackSuccess', { stack: target.name });
        return afterChange(ctx, options, updated, since, `${updated.name}: UPDATE started — ${situation(updated)}`);
      }),
    );

  subcommand(stack, 'cancel', 'cancel the running action: what it did so far is undone')
    .argument('<STACK>', 'name or id')
    .option('--wait', 'follow the cancellation to its end (exit 0 when the action was cancelled and undone)')
    .action(
      action(async (ctx, [ref], options) => {
        const target = await findStack(ctx.api, ref);
        const data = await ctx.api.request(CancelStackActionDocument, { input: { stackId: target.id } });
        const { stack: cancelled } = expectSuccess(data.cancelStackAction, 'CancelStackActionSuccess');
        const requested = `${cancelled.name}: cancellation of ${cancelled.action ?? 'the action'} requested`;
        if (!flag(options, 'wait')) return afterChange(ctx, options, cancelled, null, requested);
        const since = await startingCursor(ctx.api, cancelled);
        if (ctx.readable) printLines([requested]);
        const outcome = await waitForStack(ctx.api, cancelled.id, { printEvents: ctx.readable, since });
        // A cancelled action ends FAILED (it did not complete), but the cancel itself succeeded.
        const [last] = await recentEvents(ctx.api, cancelled.id, 1);
        if (outcome.stack && last?.type === 'ROLLBACK_COMPLETED' && last.message.includes('cancelled and undone')) {
          const ended = outcome.stack;
          await ctx.emit({ ...ended, wait: { failed: false, cancelled: true, elapsedMs: outcome.elapsedMs } }, () => [
            `${cancelled.name}: ${cancelled.action ?? 'the action'} cancelled and undone after ${seconds(outcome.elapsedMs)}; the stack is ${ended.status}`,
          ]);
          return 0;
        }
        return finishWait(ctx, cancelled, outcome);
      }),
    );

  subcommand(stack, 'delete', 'delete the stack and its resources')
    .argument('<STACK>', 'name or id')
    .option('--force', 'remove the record even if resources cannot be removed (replaces a running action)')
    .option('--wait', WAIT_HELP)
    .option('--after-current', 'with --wait: while an action runs, wait for it to end, then delete')
    .action(
      action(async (ctx, [ref], options) => {
        const force = flag(options, 'force');
        const afterCurrent = flag(options, 'afterCurrent');
        if (afterCurrent && !flag(options, 'wait')) throw new UsageError('--after-current waits for the running action to end: use it with --wait');
        if (afterCurrent && force) throw new UsageError('--after-current and --force exclude each other: a forced delete replaces the running action');
        const target = await findStack(ctx.api, ref);
        // Queued on the client: the API runs one action per stack. Bounded: another client may
        // start an action between the end of one and our delete, a few times at most.
        for (let round = 1; ; round++) {
          const since = flag(options, 'wait') ? await newestCursor(ctx, target.id) : null;
          const { deleteStack: result } = await ctx.api.request(DeleteStackDocument, { input: { stackId: target.id, force } });
          if (afterCurrent && result.__typename === 'StackBusy' && round < AFTER_CURRENT_ROUNDS) {
            if (ctx.readable) printLines([`${target.name}: ${result.action ?? 'an action'} is running; the delete waits for it to end`]);
            const current = await waitForStack(ctx.api, target.id, { printEvents: ctx.readable, since });
            // The running action was itself a delete: nothing left to queue.
            if (!current.stack || current.stack.status === 'DELETED') return finishWait(ctx, target, current);
            continue;
          }
          expectSuccess(result, 'DeleteStackSuccess', { stack: target.name });
          return afterChange(ctx, options, target, since, `${target.name}: ${force ? 'force ' : ''}delete started`);
        }
      }),
    );

  subcommand(stack, 'export', 'the current inputs (password inputs masked), to keep or to create a copy with --inputs-file')
    .argument('<STACK>', 'name or id')
    .option('--format <yaml|json>', 'the text\'s format with -o table (default yaml); -o json/yaml print the inputs in that format')
    .action(
      action(async (ctx, [ref], options) => {
        const format = ctx.readable ? (stringOption(options, 'format') ?? 'yaml').toUpperCase() : ctx.output.toUpperCase();
        if (format !== 'YAML' && format !== 'JSON') throw new UsageError('--format must be yaml or json');
        const target = await findStack(ctx.api, ref);
        const data = await ctx.api.request(ExportStackInputsDocument, { input: { stackId: target.id, format } });
        const { text } = expectSuccess(data.exportStackInputs, 'ExportStackInputsSuccess');
        // The API's text is the document itself, in the format asked for.
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return 0;
      }),
    );
}
