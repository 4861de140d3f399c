import { Migration } from '@mikro-orm/migrations';

export class Migration20261125010000_stacks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "stack_events" ("seq" bigserial primary key, "id" uuid not null, "tenant_id" uuid not null, "stack_id" uuid not null, "time" timestamptz not null, "type" varchar(60) not null, "element" varchar(200) null, "status" varchar(40) null, "message" text not null);`);
    this.addSql(`alter table "stack_events" add constraint "stack_events_id_unique" unique ("id");`);
    this.addSql(`create index "stack_events_stack_id_seq_index" on "stack_events" ("stack_id", "seq");`);
    this.addSql(`create table "clusters" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(100) not null, "kind" text check ("kind" in ('DOCKER', 'KUBERNETES', 'POSTGRESQL')) not null, "endpoint" varchar(1024) null, "publish_address" varchar(64) not null default '127.0.0.1', "credentials_enc" text null, "created_at" timestamptz not null, constraint "clusters_pkey" primary key ("id"));`);
    this.addSql(`alter table "clusters" add constraint "clusters_tenant_id_name_unique" unique ("tenant_id", "name");`);
    this.addSql(`create table "stacks" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(100) not null, "description" text null, "template_id" uuid not null, "template_version_id" uuid not null, "cluster_id" uuid null, "namespace" varchar(63) not null default 'default', "inputs" jsonb not null, "status" text check ("status" in ('INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR')) not null default 'INITIAL', "previous_status" text check ("previous_status" in ('INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR')) null, "action" text check ("action" in ('INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'ROLLBACK')) null, "action_state" text check ("action_state" in ('IN_PROGRESS', 'COMPLETE', 'FAILED')) null, "action_workflow_id" varchar(200) null, "pending_update" jsonb null, "action_request_token" varchar(128) null, "create_request_token" varchar(128) null, "auto_rollback" boolean not null default true, "timeout_minutes" int not null default 60, "revision" int not null default 0, "outputs" jsonb null, "status_reason" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "stacks_pkey" primary key ("id"));`);
    this.addSql(`alter table "stacks" add constraint "stacks_tenant_id_name_unique" unique ("tenant_id", "name");`);
    this.addSql(`alter table "stacks" add constraint "stacks_tenant_id_create_request_token_unique" unique ("tenant_id", "create_request_token");`);
    this.addSql(`create table "stack_revisions" ("id" uuid not null, "stack_id" uuid not null, "number" int not null, "template_version_id" uuid not null, "inputs" jsonb not null, "created_at" timestamptz not null, constraint "stack_revisions_pkey" primary key ("id"));`);
    this.addSql(`alter table "stack_revisions" add constraint "stack_revisions_stack_id_number_unique" unique ("stack_id", "number");`);
    this.addSql(`create table "stack_elements" ("id" uuid not null, "stack_id" uuid not null, "name" varchar(200) not null, "type" varchar(200) not null, "status" varchar(40) not null default 'PENDING', "status_reason" text null, "health" text check ("health" in ('HEALTHY', 'UNKNOWN', 'ABNORMAL')) not null default 'UNKNOWN', "physical_id" varchar(512) null, "attributes" jsonb null, "properties" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "stack_elements_pkey" primary key ("id"));`);
    this.addSql(`alter table "stack_elements" add constraint "stack_elements_stack_id_name_unique" unique ("stack_id", "name");`);
    this.addSql(`create table "alarms" ("id" uuid not null, "stack_id" uuid not null, "element" varchar(200) null, "message" text not null, "raised_at" timestamptz not null, "cleared_at" timestamptz null, constraint "alarms_pkey" primary key ("id"));`);
    this.addSql(`create index "alarms_stack_id_cleared_at_index" on "alarms" ("stack_id", "cleared_at");`);
    this.addSql(`alter table "clusters" add constraint "clusters_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stacks" add constraint "stacks_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stacks" add constraint "stacks_template_id_foreign" foreign key ("template_id") references "templates" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "stacks" add constraint "stacks_template_version_id_foreign" foreign key ("template_version_id") references "template_versions" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "stacks" add constraint "stacks_cluster_id_foreign" foreign key ("cluster_id") references "clusters" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "stack_revisions" add constraint "stack_revisions_stack_id_foreign" foreign key ("stack_id") references "stacks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stack_revisions" add constraint "stack_revisions_template_version_id_foreign" foreign key ("template_version_id") references "template_versions" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "stack_elements" add constraint "stack_elements_stack_id_foreign" foreign key ("stack_id") references "stacks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "alarms" add constraint "alarms_stack_id_foreign" foreign key ("stack_id") references "stacks" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "alarms" cascade;`);
    this.addSql(`drop table if exists "stack_elements" cascade;`);
    this.addSql(`drop table if exists "stack_revisions" cascade;`);
    this.addSql(`drop table if exists "stack_events" cascade;`);
    this.addSql(`drop table if exists "stacks" cascade;`);
    this.addSql(`drop table if exists "clusters" cascade;`);
  }
}
