// The one grammar of a Docker engine endpoint, for registration and for the client alike:
// `unix:///absolute/path` or `tcp://host:port` (IPv6 in brackets). Nothing else: no http://, no
// path, no trailing slash — what registration accepted is exactly what the client can reach.
import { PermanentDriverError } from '../types.js';

export type DockerEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

const MAX_ENDPOINT = 1024;
const DOCKER_UNIX = /^unix:\/\/\/[^\s\0]+$/;
const DOCKER_TCP = /^tcp:\/\/([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
export const DOCKER_ENDPOINT_HINT = 'use unix:///path/to/docker.sock or tcp://host:port';

/** The endpoint's parts, or why it is not one (the message may quote a short endpoint). */
export function readDockerEndpoint(endpoint: string): { endpoint: DockerEndpoint } | { problem: string } {
  if (endpoint.length > MAX_ENDPOINT) return { problem: `the endpoint is longer than ${MAX_ENDPOINT} characters` };
  if (DOCKER_UNIX.test(endpoint)) return { endpoint: { kind: 'unix', socketPath: endpoint.slice('unix://'.length) } };
  const tcp = DOCKER_TCP.exec(endpoint);
  if (!tcp) return { problem: `Docker endpoint "${endpoint}" is not supported` };
  const port = Number(tcp[2]);
  if (port < 1 || port > 65535) return { problem: `port ${port} is outside 1..65535` };
  return { endpoint: { kind: 'tcp', host: tcp[1].replace(/^\[(.*)\]$/, '$1'), port } };
}

/** readDockerEndpoint for the driver: a stored endpoint that is not one is a permanent failure. */
export function parseDockerEndpoint(endpoint: string): DockerEndpoint {
  const read = readDockerEndpoint(endpoint);
  if ('problem' in read) throw new PermanentDriverError(`${read.problem}: ${DOCKER_ENDPOINT_HINT}`, 'INVALID_ENDPOINT');
  return read.endpoint;
}
