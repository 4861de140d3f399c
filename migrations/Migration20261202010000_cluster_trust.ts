import { Migration } from '@mikro-orm/migrations';

/**
 * Clusters registered by the platform administrator are trusted: outside the tenant endpoint
 * policy. Rows from before stay untrusted (the policy applies to them from now on); `npm run up`
 * marks its own `local` engine trusted again at start.
 */
export class Migration20261202010000_cluster_trust extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "clusters" add column "trusted" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "clusters" drop column "trusted";`);
  }
}
