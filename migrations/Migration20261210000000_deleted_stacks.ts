import { Migration } from '@mikro-orm/migrations';

/**
 * Deleted stacks stay readable for a retention period: a DELETED status, when the delete
 * finished, and names unique among live stacks only (a new stack may take a deleted one's name).
 */
export class Migration20261210000000_deleted_stacks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "stacks" drop constraint if exists "stacks_status_check";`);
    this.addSql(`alter table "stacks" drop constraint if exists "stacks_previous_status_check";`);
    this.addSql(`alter table "stacks" drop constraint "stacks_tenant_id_name_unique";`);
    this.addSql(`alter table "stacks" add column "deleted_at" timestamptz null;`);
    this.addSql(`alter table "stacks" add constraint "stacks_status_check" check("status" in ('INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR', 'DELETED'));`);
    this.addSql(`alter table "stacks" add constraint "stacks_previous_status_check" check("previous_status" in ('INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR', 'DELETED'));`);
    this.addSql(`create index "stacks_deleted_at_index" on "stacks" ("deleted_at");`);
    this.addSql(`create unique index "stacks_tenant_id_name_live_unique" on "stacks" ("tenant_id", "name") where "status" <> 'DELETED';`);
  }

  override async down(): Promise<void> {
    // The records of deleted stacks cannot live under the old schema (their names may repeat, their
    // status is unknown to it): they go, as the old delete removed them.
    this.addSql(`delete from "stacks" where "status" = 'DELETED';`);
    this.addSql(`drop index if exists "stacks_tenant_id_name_live_unique";`);
    this.addSql(`drop index if exists "stacks_deleted_at_index";`);
    this.addSql(`alter table "stacks" drop constraint if exists "stacks_status_check";`);
    this.addSql(`alter table "stacks" drop constraint if exists "stacks_previous_status_check";`);
    this.addSql(`alter table "stacks" drop column "deleted_at";`);
    this.addSql(`alter table "stacks" add constraint "stacks_status_check" check("status" in ('INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR'));`);
    this.addSql(`alter table "stacks" add constraint "stacks_previous_status_check" check("previous_status" in ('INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR'));`);
    this.addSql(`alter table "stacks" add constraint "stacks_tenant_id_name_unique" unique ("tenant_id", "name");`);
  }
}
