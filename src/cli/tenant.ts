// `aos tenant …`: tenants, their quotas and their state (ADMIN only, except `quota` without a tenant).

import type { Command } from 'commander';
import { CreateTenantDocument, QuotaDocument, SetQuotaDocument, SetTenantStateDocument, TenantsDocument, type QuotaQuery, type TenantState, type TenantsQuery } from '../sdk/generated/graphql.js';
import { intOption, UUID } from './args.js';
import { expectSuccess, notFound, type Api } from './client.js';
import { action, subcommand, type CommandContext } from './command.js';
import { UsageError } from './failure.js';
import { table } from './format.js';
import { emptyList } from './output.js';

type TenantBody = TenantsQuery['tenants'][number];

/** A tenant given by id or by name (the platform administrator sees every tenant; others their own). */
export async function resolveTenant(api: Api, ref: string): Promise<TenantBody> {
  const { tenants } = await api.request(TenantsDocument, {});
  const found = tenants.find((tenant) => tenant.name === ref || (UUID.test(ref) && tenant.id.toLowerCase() === ref.toLowerCase()));
  if (!found) throw notFound(`tenant "${ref}" not found`, tenants.length <= 1 ? ['only the platform administrator sees other tenants'] : []);
  return found;
}

async function setState(ctx: CommandContext, ref: string, state: TenantState): Promise<number> {
  const tenant = await resolveTenant(ctx.api, ref);
  const data = await ctx.api.request(SetTenantStateDocument, { input: { tenantId: tenant.id, state } });
  const updated = expectSuccess(data.setTenantState, 'SetTenantStateSuccess').tenant;
  await ctx.emit(updated, () => [`tenant ${updated.name} is ${updated.state}`]);
  return 0;
}

function quotaLines(quota: QuotaQuery['quota']): string[] {
  return [`templates ${quota.templatesUsed}/${quota.templates}`, `stacks    ${quota.stacksUsed}/${quota.stacks}`];
}

export function register(program: Command): void {
  const tenant = program.command('tenant').description('tenants (platform administrator): create, list, freeze/unfreeze, quota');

  subcommand(tenant, 'create', 'create a tenant (quota 100 templates, 200 stacks); prints its id')
    .argument('<NAME>', 'the tenant name')
    .action(
      action(async (ctx, [name]) => {
        const data = await ctx.api.request(CreateTenantDocument, { input: { name } });
        const { tenant: created } = expectSuccess(data.createTenant, 'CreateTenantSuccess');
        await ctx.emit(created, () => [`tenant ${created.name} created (id ${created.id})`]);
        return 0;
      }),
    );

  subcommand(tenant, 'list', 'every tenant (an ADMIN sees all, others their own)').action(
    action(async (ctx) => {
      const { tenants } = await ctx.api.request(TenantsDocument, {});
      await ctx.emit(tenants, () => (tenants.length ? table(['NAME', 'STATE', 'ID'], tenants.map((t) => [t.name, t.state, t.id])) : emptyList('tenants')));
      return 0;
    }),
  );

  subcommand(tenant, 'freeze', 'freeze a tenant: it can read but not change anything')
    .argument('<TENANT>', 'name or id')
    .action(action(async (ctx, [ref]) => setState(ctx, ref, 'FROZEN')));

  subcommand(tenant, 'unfreeze', 'make a frozen tenant ACTIVE again')
    .argument('<TENANT>', 'name or id')
    .action(action(async (ctx, [ref]) => setState(ctx, ref, 'ACTIVE')));

  subcommand(tenant, 'quota', "show the caller's quota and usage; with TENANT and limits, set that tenant's quota (ADMIN)")
    .argument('[TENANT]', 'name or id')
    .option('--templates <N>', 'the most templates the tenant may have')
    .option('--stacks <N>', 'the most stacks the tenant may have')
    .action(
      action(async (ctx, [ref], options) => {
        const templates = intOption(options, 'templates', 0, 1_000_000);
        const stacks = intOption(options, 'stacks', 0, 1_000_000);
        if (ref === undefined) {
          if (templates !== undefined || stacks !== undefined) throw new UsageError('name the TENANT whose quota to set');
          const { quota } = await ctx.api.request(QuotaDocument, {});
          await ctx.emit(quota, () => quotaLines(quota));
          return 0;
        }
        if (templates === undefined && stacks === undefined) throw new UsageError('give --templates N and/or --stacks N');
        const found = await resolveTenant(ctx.api, ref);
        const data = await ctx.api.request(SetQuotaDocument, { input: { tenantId: found.id, templates, stacks } });
        const { quota } = expectSuccess(data.setQuota, 'SetQuotaSuccess');
        await ctx.emit(quota, () => quotaLines(quota));
        return 0;
      }),
    );
}
