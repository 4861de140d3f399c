// `aos audit`: the audit trail, newest first — every API change with who, what, result and message.

import { expectPositionals, intOption, stringOption, UsageError } from './args.js';
import { printLines } from './client.js';
import { runSingle } from './command.js';
import { shortTime, table } from './format.js';

export const summary = 'audit records, newest first (who changed what, and how it went)';

interface AuditRecordBody {
  time: string;
  traceName: string;
  traceStatus: string;
  code: number;
  user: string;
  tenant: string;
  resourceType: string;
  resourceName: string | null;
  resourceId: string | null;
  message: string;
}

const TRACE_STATUSES = ['normal', 'warning', 'incident'];

export const run = (args: string[]): Promise<number> =>
  runSingle('audit', {
    args: '[--limit N] [--trace NAME] [--resource NAME] [--user NAME] [--status normal|warning|incident] [--since ISO-TIME]',
    summary,
    details: ['A tenant sees its own records; an ADMIN sees every tenant’s. Requests are stored with secrets masked.'],
    options: {
      limit: { type: 'string', short: 'n' },
      trace: { type: 'string' },
      resource: { type: 'string' },
      user: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
    },
    async run(parsed, ctx) {
      expectPositionals(parsed, []);
      const status = stringOption(parsed, 'status')?.toLowerCase();
      if (status !== undefined && !TRACE_STATUSES.includes(status)) throw new UsageError(`--status must be one of ${TRACE_STATUSES.join(', ')}`);
      const since = stringOption(parsed, 'since');
      if (since !== undefined && Number.isNaN(new Date(since).getTime())) throw new UsageError(`--since must be a time like 2026-11-25T13:00:00Z, got "${since}"`);
      const filter = {
        traceName: stringOption(parsed, 'trace') ?? null,
        resourceName: stringOption(parsed, 'resource') ?? null,
        user: stringOption(parsed, 'user') ?? null,
        traceStatus: status ?? null,
        from: since ? new Date(since).toISOString() : null,
      };
      const data = await ctx.call<{ auditRecords: { edges: { node: AuditRecordBody }[] } }>(
        `query($first: Int, $filter: AuditFilter) { auditRecords(first: $first, filter: $filter) { edges { node { time traceName traceStatus code user tenant resourceType resourceName resourceId message } } } }`,
        { first: intOption(parsed, 'limit', 1, 100) ?? 20, filter },
      );
      if (!ctx.json) {
        const rows = data.auditRecords.edges.map(({ node }) => [
          shortTime(node.time),
          node.traceName,
          node.traceStatus,
          String(node.code),
          `${node.user}@${node.tenant}`,
          `${node.resourceType} ${node.resourceName ?? node.resourceId ?? '-'}`,
          node.message,
        ]);
        printLines(rows.length ? table(['TIME', 'TRACE', 'STATUS', 'CODE', 'USER', 'RESOURCE', 'MESSAGE'], rows) : ['no audit records']);
      }
      return 0;
    },
  }, args);
