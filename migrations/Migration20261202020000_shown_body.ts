import { Migration } from '@mikro-orm/migrations';

/** A template version's text fit to show (secrets masked), made once when the version is stored. */
export class Migration20261202020000_shown_body extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "template_versions" add column "shown_body" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "template_versions" drop column if exists "shown_body";`);
  }
}
