import { Migration } from '@mikro-orm/migrations';

/**
 * Tokens with a life (a name, an optional expiry, the last use) and audit records that the tenant an
 * administrator acted on can read too.
 */
export class Migration20261202000000_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "api_tokens" rename column "label" to "name";`);
    this.addSql(`alter table "api_tokens" add column "expires_at" timestamptz null, add column "last_used_at" timestamptz null;`);
    this.addSql(`alter table "audit_records" add column "target_tenant_id" uuid null;`);
    this.addSql(`create index "audit_records_target_tenant_id_time_index" on "audit_records" ("target_tenant_id", "time");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "audit_records_target_tenant_id_time_index";`);
    this.addSql(`alter table "audit_records" drop column if exists "target_tenant_id";`);
    this.addSql(`alter table "api_tokens" drop column if exists "last_used_at", drop column if exists "expires_at";`);
    this.addSql(`alter table "api_tokens" rename column "name" to "label";`);
  }
}
