// Host ports for NodePort services on a Docker engine.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { PermanentDriverError } from '../types.js';
import type { PortRange } from '../workload/spec.js';

/**
 * `AOS_NODEPORT_RANGE=30000-32767` (Kubernetes' default range, so templates port across); unset
 * or empty: `fallback`.
 */
export function nodePortRange(raw: string | undefined, fallback: PortRange): PortRange {
  if (raw === undefined || raw.trim() === '') return fallback;
  const match = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(raw);
  const min = match ? Number(match[1]) : NaN;
  const max = match ? Number(match[2]) : NaN;
  if (!match || min < 1 || max > 65535 || min > max) {
    throw new PermanentDriverError(`AOS_NODEPORT_RANGE=${raw} is not a port range like 30000-32767`, 'INVALID_CONFIGURATION');
  }
  return { min, max };
}

/**
 * Whether nothing on this machine listens on address:port (tries to bind it and lets go).
 * When the address is not one of this machine's (a remote engine), the check cannot be made
 * here and the port counts as free: the engine's own "port is already allocated" is the backstop.
 */
export function isHostPortFree(address: string, port: number, protocol: 'tcp' | 'udp' = 'tcp'): Promise<boolean> {
  if (protocol === 'udp') return Promise.resolve(true);
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code !== 'EADDRINUSE' && error.code !== 'EACCES');
    });
    server.listen({ host: address, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Picks a free port in the range, not in `reserved`. The search starts at a point derived from
 * `seed` (the container name and service port), so a retried attempt for the same instance
 * tends to land on the same port, and different instances spread over the range.
 */
export async function allocateHostPort(options: {
  range: PortRange;
  reserved: ReadonlySet<number>;
  seed: string;
  address: string;
  protocol: 'tcp' | 'udp';
}): Promise<number> {
  const { range, reserved, seed, address, protocol } = options;
  const size = range.max - range.min + 1;
  const start = createHash('sha256').update(seed).digest().readUInt32BE(0) % size;
  for (let i = 0; i < size; i++) {
    const port = range.min + ((start + i) % size);
    if (reserved.has(port)) continue;
    if (await isHostPortFree(address, port, protocol)) return port;
  }
  throw new PermanentDriverError(
    `no free host port left in ${range.min}-${range.max} on ${address} (AOS_NODEPORT_RANGE)`,
    'NODEPORT_RANGE_EXHAUSTED',
  );
}
