import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/**
 * The web console: the static files `aos_build_console` (scripts/lib.sh) writes to dist/console/,
 * served at CONSOLE_PREFIX without a token (the page signs in with one; every request it sends
 * carries it). The folder is read once, on the first request, into a map of exact names; a
 * request is answered from that map only, so no request path is ever joined to a folder: `..`,
 * encoded dots or absolute paths reach nothing outside it (nor anything not in it).
 *
 * Client routes (`/console/stacks/42`) get index.html; a missing file that looks like one
 * (`assets/…`, or a name with an extension) is 404, so a script never receives HTML.
 */
export const CONSOLE_PREFIX = '/console/';

/** Content types by extension; anything else is served as bytes (and `nosniff`). */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * The page's policy: its own scripts and workers only (no inline script), requests and the
 * graphql-ws socket to this origin (`'self'` covers ws: on the same host and port), inline styles
 * (React's style attributes, CodeMirror's and React Flow's injected sheets), data: images.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
} as const;

interface ConsoleFile {
  type: string;
  body: Buffer;
  etag: string;
  /** Named by content hash (Vite's assets/): cached for good. */
  immutable: boolean;
  gzipped?: Promise<Buffer>;
}

export interface ConsoleFiles {
  /** Answers a request for `/console` or a path under CONSOLE_PREFIX. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** Every file under `dir` (dot files left out: the build stamp), by its path relative to it with `/`. */
async function readTree(dir: string): Promise<Map<string, ConsoleFile>> {
  const files = new Map<string, ConsoleFile>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const full = join(entry.parentPath, entry.name);
    const name = relative(dir, full).split(sep).join('/');
    if (name.split('/').some((segment) => segment.startsWith('.'))) continue;
    const body = await readFile(full);
    files.set(name, {
      type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: name.startsWith('assets/'),
    });
  }
  return files;
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  return typeof header === 'string' && /(^|,)\s*gzip\s*(;\s*q=(1|0\.0*[1-9]\d*)\s*)?(,|$)/i.test(header);
}

function answer(res: ServerResponse, status: number, message: string, code: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS, ...extra }).end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** What a request path under the prefix names: a file of the build, or index.html for a client route. */
function lookup(files: ReadonlyMap<string, ConsoleFile>, rest: string): ConsoleFile | undefined {
  const exact = files.get(rest);
  if (exact) return exact;
  const last = rest.slice(rest.lastIndexOf('/') + 1);
  if (rest.startsWith('assets/') || last.includes('.')) return undefined;
  return files.get('index.html');
}

/** The console's files in `dir` (read on first use, kept for the life of the process). */
export function consoleFiles(dir: string): ConsoleFiles {
  let loading: Promise<Map<string, ConsoleFile>> | null = null;
  const load = (): Promise<Map<string, ConsoleFile>> => {
    loading ??= readTree(dir).catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };

  return {
    async serve(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return answer(res, 405, 'the console is read with GET', 'METHOD_NOT_ALLOWED', { allow: 'GET, HEAD' });
      }
      if (path === CONSOLE_PREFIX.slice(0, -1)) {
        res.writeHead(308, { location: CONSOLE_PREFIX, ...SECURITY_HEADERS }).end();
        return;
      }
      let files: Map<string, ConsoleFile>;
      try {
        files = await load();
      } catch {
        files = new Map();
      }
      if (!files.has('index.html')) {
        // Not built (dist/console/ missing): `npm run up` and `npm test` build it.
        return answer(res, 503, 'the console is not built: `npm run up` builds it', 'CONSOLE_NOT_BUILT');
      }
      const file = lookup(files, path.slice(CONSOLE_PREFIX.length));
      if (!file) return answer(res, 404, 'no such console file', 'NOT_FOUND');
      const headers: Record<string, string> = {
        'content-type': file.type,
        etag: file.etag,
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        vary: 'accept-encoding',
        ...SECURITY_HEADERS,
      };
      if (file.type.startsWith('text/html')) {
        headers['content-security-policy'] = CONSOLE_CONTENT_SECURITY_POLICY;
        headers['x-frame-options'] = 'DENY';
      }
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers).end();
        return;
      }
      const compressed = acceptsGzip(req) && file.body.length > 512;
      const body = compressed ? await (file.gzipped ??= gzip(file.body, { level: 9 })) : file.body;
      if (compressed) headers['content-encoding'] = 'gzip';
      headers['content-length'] = String(body.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
