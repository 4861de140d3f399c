import { Client, Connection } from '@temporalio/client';
import type { AosConfig } from '../../config.js';

export interface TemporalHandle {
  client: Client;
  close(): Promise<void>;
}

export async function connectTemporal(config: Pick<AosConfig, 'temporalAddress' | 'temporalNamespace'>): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  return { client, close: () => connection.close() };
}
