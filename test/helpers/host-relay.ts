// Reaching a service on the engine's host from containers. Containers see the host as
// host.docker.internal (the Docker driver's ExtraHosts entry: the default bridge's gateway
// address), but a service listening on 127.0.0.1 only (this machine's PostgreSQL) cannot be
// reached there. A relay bound to the gateway address forwards to the loopback service; nothing
// it does leaves this machine (the gateway is an address of a local bridge).
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type Docker from 'dockerode';

/**
 * The address of the engine's default bridge on this machine (what `host-gateway` stands for), or
 * null with no such local address. The engine names the gateway in the network's IPAM config
 * when it was given one; otherwise the bridge takes the subnet's first address, Docker's rule.
 */
export async function bridgeGateway(docker: Docker): Promise<string | null> {
  const bridge = (await docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } };
  for (const config of bridge.IPAM?.Config ?? []) {
    const candidate = config.Gateway ?? firstHostOf(config.Subnet);
    if (candidate && (await canListenOn(candidate))) return candidate;
  }
  return null;
}

/**
 * True when a socket can be bound to `address` here. os.networkInterfaces() is no test: it leaves
 * out a bridge that is down (docker0 with no container on it), whose address is bound all the same.
 */
function canListenOn(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: address, port: 0 }, () => probe.close(() => resolve(true)));
  });
}

/** 10.213.0.0/24 → 10.213.0.1 (IPv4 only; null for anything else). */
function firstHostOf(subnet: string | undefined): string | null {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet ?? '');
  if (!match) return null;
  const [a, b, c, d] = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if ([a, b, c, d].some((n) => n > 255) || prefix < 8 || prefix > 30) return null;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const first = ((((a << 24) | (b << 16) | (c << 8) | d) & mask) >>> 0) + 1;
  return [first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join('.');
}

export interface TcpRelay {
  /** The port the relay listens on (chosen by the system). */
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Cuts every open connection and keeps listening (a network blip). */
  cutAll(): void;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

export interface TcpRelayOptions {
  listenHost: string;
  targetHost: string;
  targetPort: number;
  /** Open connections at once; more are refused by the server. */
  maxConnections?: number;
  /** Connections over the relay's life; later ones are cut at once. */
  maxAccepted?: number;
  /** A connection idle this long is cut. */
  idleTimeoutMs?: number;
}

/** A TCP relay on `listenHost`:<free port> to `targetHost:targetPort`, bounded in connections and idleness. */
export async function startTcpRelay(options: TcpRelayOptions): Promise<TcpRelay> {
  const maxAccepted = options.maxAccepted ?? 500;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    if (accepted > maxAccepted) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: options.targetHost, port: options.targetPort });
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.setTimeout(idleTimeoutMs, drop);
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(upstream).pipe(client);
  });
  server.maxConnections = options.maxConnections ?? 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.listenHost, port: 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP address');
  return {
    port: address.port,
    accepted: () => accepted,
    cutAll: () => {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        open.clear();
        server.close(() => resolve());
      }),
  };
}
