// Where workloads reach a POSTGRESQL cluster's server: its `publishAddress` (`host`, `host:port`
// or `[v6]:port`), or the administrative URL's host and port when none is registered. The two
// differ when AOS and the workloads see the server on different networks (a relay, a private
// endpoint, the engine host's name inside containers).
import { parseHost } from '../endpoint-addresses.js';

export interface WorkloadAddress {
  host: string;
  port: number;
}

/** Reads a registration's publishAddress; null with a reason when it is not one. */
export function readWorkloadAddress(text: string, defaultPort: number): { address: WorkloadAddress } | { problem: string } {
  const trimmed = text.trim();
  // The stored column holds 64 characters.
  if (trimmed.length === 0 || trimmed.length > 64) return { problem: 'publishAddress must be a host name or address of at most 64 characters, optionally with :port' };
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(trimmed);
  const plain = /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(trimmed);
  // A bare IPv6 address has several colons and no port.
  const [hostText, portText] = bracketed ? [bracketed[1], bracketed[2]] : plain ? [plain[1], plain[2]] : [trimmed, undefined];
  const host = parseHost(hostText);
  if (!host) return { problem: `publishAddress "${trimmed.slice(0, 80)}" is neither a host name nor an IP address (optionally with :port)` };
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { problem: 'the port of publishAddress is outside 1..65535' };
  return { address: { host: host.kind === 'ip' ? host.address : host.name, port } };
}

/** The stored publishAddress as host and port (it was checked at registration). */
export function workloadAddressOf(publishAddress: string | null | undefined, admin: WorkloadAddress): WorkloadAddress {
  if (!publishAddress) return { host: admin.host, port: admin.port };
  const read = readWorkloadAddress(publishAddress, admin.port);
  return 'address' in read ? read.address : { host: admin.host, port: admin.port };
}

/** host:port as stored and shown. */
export function formatWorkloadAddress(address: WorkloadAddress): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
