import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "tenants" ("id" uuid not null, "name" varchar(100) not null, "state" text check ("state" in ('ACTIVE', 'FROZEN')) not null default 'ACTIVE', "quota_templates" int not null default 100, "quota_stacks" int not null default 200, "created_at" timestamptz not null, constraint "tenants_pkey" primary key ("id"));`);
    this.addSql(`alter table "tenants" add constraint "tenants_name_unique" unique ("name");`);

    this.addSql(`create table "users" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(100) not null, "role" text check ("role" in ('ADMIN', 'OPERATOR', 'VIEWER')) not null, "created_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_tenant_id_name_unique" unique ("tenant_id", "name");`);
    this.addSql(`alter table "users" add constraint "users_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "api_tokens" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, "label" varchar(100) not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "api_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "templates" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(128) not null, "description" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "templates_pkey" primary key ("id"));`);
    this.addSql(`alter table "templates" add constraint "templates_tenant_id_name_unique" unique ("tenant_id", "name");`);
    this.addSql(`alter table "templates" add constraint "templates_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "template_versions" ("id" uuid not null, "template_id" uuid not null, "version" varchar(64) not null, "body" text not null, "created_at" timestamptz not null, constraint "template_versions_pkey" primary key ("id"));`);
    this.addSql(`alter table "template_versions" add constraint "template_versions_template_id_version_unique" unique ("template_id", "version");`);
    this.addSql(`alter table "template_versions" add constraint "template_versions_template_id_foreign" foreign key ("template_id") references "templates" ("id") on update cascade on delete cascade;`);
    // Versions never change once written: the database refuses it too, whoever asks.
    this.addSql(`create function "aos_template_version_immutable"() returns trigger language plpgsql as $$ begin raise exception 'template versions are immutable'; end $$;`);
    this.addSql(`create trigger "template_versions_no_update" before update on "template_versions" for each row execute function "aos_template_version_immutable"();`);

    this.addSql(`create table "audit_records" ("id" uuid not null, "tenant_id" uuid null, "tenant_name" varchar(100) not null, "user_name" varchar(100) not null, "trace_name" varchar(64) not null, "trace_status" text check ("trace_status" in ('normal', 'warning', 'incident')) not null, "code" int not null, "resource_type" varchar(64) not null, "resource_id" varchar(64) null, "resource_name" varchar(256) null, "source_ip" varchar(64) null, "request" jsonb null, "message" text not null, "time" timestamptz not null, constraint "audit_records_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_records_tenant_id_time_index" on "audit_records" ("tenant_id", "time");`);
    this.addSql(`create index "audit_records_time_index" on "audit_records" ("time");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_records" cascade;`);
    this.addSql(`drop table if exists "template_versions" cascade;`);
    this.addSql(`drop function if exists "aos_template_version_immutable"() cascade;`);
    this.addSql(`drop table if exists "templates" cascade;`);
    this.addSql(`drop table if exists "api_tokens" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "tenants" cascade;`);
  }
}
