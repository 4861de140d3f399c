// `aos audit`: the audit trail, newest first — every API change with who, what, result and message.

import type { Command } from 'commander';
import { AuditRecordsDocument } from '../sdk/generated/graphql.js';
import { intOption, stringOption } from './args.js';
import { action, addCommonOptions } from './command.js';
import { UsageError } from './failure.js';
import { shortTime, table } from './format.js';
import { emptyList, nodesOf } from './output.js';

const TRACE_STATUSES = ['normal', 'warning', 'incident'];

export function register(program: Command): void {
  addCommonOptions(program.command('audit').description('audit records, newest first (who changed what, and how it went)'))
    .option('-n, --limit <N>', 'how many (1-100, default 20)')
    .option('--trace <NAME>', 'only this operation, e.g. CreateStack')
    .option('--resource <NAME>', 'only this resource name')
    .option('--user <NAME>', 'only this user')
    .option('--status <STATUS>', 'normal, warning or incident')
    .option('--since <ISO-TIME>', 'only records from this time on')
    .addHelpText('after', '\nA tenant sees its own records; an ADMIN sees every tenant’s. Requests are stored with secrets masked.')
    .action(
      action(async (ctx, _args, options) => {
        const status = stringOption(options, 'status')?.toLowerCase();
        if (status !== undefined && !TRACE_STATUSES.includes(status)) throw new UsageError(`--status must be one of ${TRACE_STATUSES.join(', ')}`);
        const since = stringOption(options, 'since');
        if (since !== undefined && Number.isNaN(new Date(since).getTime())) throw new UsageError(`--since must be a time like 2026-11-25T13:00:00Z, got "${since}"`);
        const filter = {
          traceName: stringOption(options, 'trace') ?? null,
          resourceName: stringOption(options, 'resource') ?? null,
          user: stringOption(options, 'user') ?? null,
          traceStatus: status ?? null,
          from: since ? new Date(since).toISOString() : null,
        };
        const data = await ctx.api.request(AuditRecordsDocument, { first: intOption(options, 'limit', 1, 100) ?? 20, filter });
        const records = nodesOf(data.auditRecords);
        await ctx.emit(records, () =>
          records.length
            ? table(
                ['TIME', 'TRACE', 'STATUS', 'CODE', 'USER', 'RESOURCE', 'MESSAGE'],
                records.map((node) => [shortTime(node.time), node.traceName, node.traceStatus, String(node.code), `${node.user}@${node.tenant}`, `${node.resourceType} ${node.resourceName ?? node.resourceId ?? '-'}`, node.message]),
              )
            : emptyList('audit records'),
        );
        return 0;
      }),
    );
}
