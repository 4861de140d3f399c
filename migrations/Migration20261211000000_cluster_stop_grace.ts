import { Migration } from '@mikro-orm/migrations';

/** A workload cluster's stop grace for elements that set none (null: the platform's or the cluster's own default). */
export class Migration20261211000000_cluster_stop_grace extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "clusters" add column "stop_grace_period_seconds" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "clusters" drop column "stop_grace_period_seconds";`);
  }
}
