import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

const gzip = promisify(gzipCallback);

/**
 * GraphiQL (development only), served by the API itself: no CDN, nothing from another host.
 *
 * The page is Yoga's own GraphiQL (`@graphql-yoga/render-graphiql`, the same build Yoga's default
 * page loads from a CDN, shipped prebuilt inside the npm package: styles, fonts and images are
 * data: URLs, the Monaco workers plain scripts). Its package would inline the whole 9 MB in every
 * page; here the page is a few hundred bytes that name a fixed list of files under
 * GRAPHIQL_ASSETS_PREFIX, each answered from memory with its content hash in the URL (cached for good).
 * The page runs under a Content-Security-Policy that allows this origin only.
 */
export const GRAPHIQL_ASSETS_PREFIX = '/graphiql/';

interface Asset {
  type: string;
  body: Buffer;
  /** Compressed on the first request that accepts gzip (off the event loop), then kept. */
  gzipped?: Promise<Buffer>;
}

interface GraphiQLAssets {
  /** `/graphiql/<hash>/`: where the files are, the hash changing with any of them. */
  base: string;
  /** File name → asset; nothing else is served. */
  files: ReadonlyMap<string, Asset>;
  /** The page for Yoga's `renderGraphiQL`, with these options for `renderYogaGraphiQL`. */
  renderPage(options: Record<string, unknown>): string;
}

/** GraphiQL's page and files; the 9 MB behind them are loaded on the first request for either. */
export interface GraphiQLFiles {
  renderPage(options: Record<string, unknown>): Promise<string>;
  /** Answers a request whose path is under GRAPHIQL_ASSETS_PREFIX. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** The Monaco worker labels the bundle asks for, and the file serving each. */
const WORKER_FILES = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' } as const;

/**
 * Runs before the bundle: Monaco's workers come from this same origin (no blob: copies needed),
 * and GraphiQL starts once the document is parsed, with the options the page carries as JSON (no
 * inline script, so the policy can refuse them all).
 */
const START_SCRIPT = `'use strict';
(function () {
  var base = new URL('.', document.currentScript.src).href;
  var workers = ${JSON.stringify(WORKER_FILES)};
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return base + (workers[label] || workers.editorWorkerService);
    },
  };
  document.addEventListener('DOMContentLoaded', function () {
    var options = JSON.parse(document.getElementById('graphiql-options').textContent || '{}');
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
  });
})();
`;

/**
 * What the page may load: this origin only (scripts, workers, the requests it sends); Monaco and
 * GraphiQL set inline styles, and their fonts and icons are data: URLs.
 */
const GRAPHIQL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const JS = 'text/javascript; charset=utf-8';

/**
 * Headers of the GraphiQL page Yoga answers (a GET asking for HTML): the policy above, never
 * cached (it names the files of this build), never framed.
 */
export function graphiqlPagePlugin(): Plugin {
  return {
    onResponse({ request, response }) {
      if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      response.headers.set('content-security-policy', GRAPHIQL_CONTENT_SECURITY_POLICY);
      response.headers.set('cache-control', 'no-store');
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('x-frame-options', 'DENY');
      response.headers.set('referrer-policy', 'no-referrer');
    },
  };
}

function dataUrlBytes(url: string): { type: string; body: Buffer } {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) throw new Error('GraphiQL: the favicon is not a base64 data URL');
  return { type: match[1], body: Buffer.from(match[2], 'base64') };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element (raw text ended only by `</script`, confused by `<!--`). */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/<\/|<!--/g, (m) => (m === '</' ? '<\\/' : '\\u003c!--'));
}

async function load(): Promise<GraphiQLAssets> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const favicon = dataUrlBytes(bundle.favicon);
  const sources: Record<string, { type: string; body: Buffer }> = {
    'start.js': { type: JS, body: Buffer.from(START_SCRIPT) },
    'graphiql.js': { type: JS, body: Buffer.from(bundle.js) },
    'graphiql.css': { type: 'text/css; charset=utf-8', body: Buffer.from(bundle.css) },
    [WORKER_FILES.editorWorkerService]: { type: JS, body: Buffer.from(bundle.editorWorkerService) },
    [WORKER_FILES.json]: { type: JS, body: Buffer.from(bundle.jsonWorker) },
    [WORKER_FILES.graphql]: { type: JS, body: Buffer.from(bundle.graphqlWorker) },
    'favicon.ico': favicon,
  };
  const hash = createHash('sha256');
  for (const [name, { body }] of Object.entries(sources)) hash.update(name).update(body);
  const base = `${GRAPHIQL_ASSETS_PREFIX}${hash.digest('hex').slice(0, 16)}/`;
  const files = new Map<string, Asset>(Object.entries(sources).map(([name, asset]) => [name, { ...asset }]));
  return {
    base,
    files,
    renderPage(options) {
      const title = escapeHtml(typeof options.title === 'string' ? options.title : 'AOS GraphiQL');
      return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${base}favicon.ico" />
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${jsonForScript(options)}</script>
    <script src="${base}start.js"></script>
    <script src="${base}graphiql.js"></script>
  </body>
</html>
`;
    },
  };
}

let loading: Promise<GraphiQLAssets> | null = null;

/** Loaded once per process (about 9 MB, 0.3 s), on first use: never in production, nor by an API nobody opens GraphiQL on. */
function loadGraphiQLAssets(): Promise<GraphiQLAssets> {
  loading ??= load().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

export function graphiqlFiles(): GraphiQLFiles {
  return {
    renderPage: async (options) => (await loadGraphiQLAssets()).renderPage(options),
    serve: (req, res, path) => serveGraphiQLAsset(req, res, path),
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }).end(JSON.stringify({ errors: [{ message: 'no such GraphiQL file', extensions: { code: 'NOT_FOUND' } }] }));
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  return typeof header === 'string' && /(^|,)\s*gzip\s*(;\s*q=(1|0\.0*[1-9]\d*)\s*)?(,|$)/i.test(header);
}

/**
 * One file of the fixed list, by exact name under `base` (no path is ever joined or read from
 * disk: nothing else can be reached, and a folder is never listed). GET and HEAD only; the request
 * body is never read. The hash in the URL lets browsers keep each file for good.
 */
async function serveGraphiQLAsset(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'GraphiQL files are read with GET', extensions: { code: 'METHOD_NOT_ALLOWED' } }] }));
    return;
  }
  const assets = await loadGraphiQLAssets();
  const asset = path.startsWith(assets.base) ? assets.files.get(path.slice(assets.base.length)) : undefined;
  if (!asset) return notFound(res);
  const compressed = acceptsGzip(req);
  const body = compressed ? await (asset.gzipped ??= gzip(asset.body)) : asset.body;
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': String(body.length),
    'cache-control': 'public, max-age=31536000, immutable',
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    ...(compressed ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
