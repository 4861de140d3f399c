// Readiness and health probes through published ports (the only way this project reaches a
// container: never by its bridge address).
import { request } from 'node:http';
import { connect } from 'node:net';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/**
 * TCP probe. A published port answers through docker-proxy, which accepts the connection at
 * once and only then dials the container; when nothing listens inside, it closes the connection
 * right away. So "accepted and still open after `settleMs`" is the signal that the application
 * itself accepted, not only the proxy.
 */
export function probeTcp(host: string, port: number, options: { timeoutMs?: number; settleMs?: number } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const settleMs = options.settleMs ?? 200;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({ host, port });
    const deadline = setTimeout(() => finish({ ok: false, detail: `tcp ${host}:${port}: no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => {
      setTimeout(() => finish({ ok: true, detail: `tcp ${host}:${port} accepts connections` }), settleMs);
    });
    // Data first (a server banner) also proves the application answered.
    socket.once('data', () => finish({ ok: true, detail: `tcp ${host}:${port} answers` }));
    socket.once('end', () => finish({ ok: false, detail: `tcp ${host}:${port}: connection closed at once (nothing listening in the container)` }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, detail: `tcp ${host}:${port}: ${error.code ?? error.message}` }));
  });
}

/** HTTP GET probe: healthy on a 2xx or 3xx status. */
export function probeHttp(host: string, port: number, path: string, options: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(result);
    };
    const req = request({ host, port, path, method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      finish({ ok: status >= 200 && status < 400, detail: `http GET ${host}:${port}${path} → ${status}` });
    });
    const deadline = setTimeout(() => finish({ ok: false, detail: `http GET ${host}:${port}${path}: no answer within ${timeoutMs} ms` }), timeoutMs);
    req.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, detail: `http GET ${host}:${port}${path}: ${error.code ?? error.message}` }));
    req.end();
  });
}

/** The address to dial for a port published on `publishAddress` (a wildcard is reached on loopback). */
export function dialAddress(publishAddress: string): string {
  if (publishAddress === '0.0.0.0' || publishAddress === '') return '127.0.0.1';
  if (publishAddress === '::') return '::1';
  return publishAddress;
}
