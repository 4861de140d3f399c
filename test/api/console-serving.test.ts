// The API serves the console's built files at /console/: index.html for client routes, the right
// content types, hashed assets cached for good, the page under a same-origin policy — and nothing
// else, whatever the path says (`..`, encoded dots, absolute paths, other files on the disk).
// AOS_CONSOLE=off turns it off; production keeps it on. A build of fixture files stands in for
// the real one here (the browser tests use the real build).
import { request as httpRequest } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../../src/api/console.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('console script '.repeat(100))});`;
const SECRET = 'root:x:0:0 secret outside the build';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path exactly as written (fetch would normalise `..` before sending it). */
function raw(origin: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console at /console/', () => {
  let dir: string;
  let build: string;
  let t: TestApp;
  let off: TestApp;
  let origin: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aos-console-'));
    build = join(dir, 'console');
    await mkdir(join(build, 'assets'), { recursive: true });
    await writeFile(join(build, 'index.html'), INDEX);
    await writeFile(join(build, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
    await writeFile(join(build, 'assets', 'index-Ef56Gh78.css'), 'body{color:black}');
    await writeFile(join(build, 'assets', 'elk-worker-Zz99.js'), 'self.onmessage=()=>{}');
    await writeFile(join(build, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(build, '.build-stamp'), 'stamp');
    await writeFile(join(dir, 'secret.txt'), SECRET);
    await writeFile(join(dir, 'passwd'), SECRET);
    t = await startTestApp({ consoleDir: build });
    off = await startTestApp({ consoleDir: build, console: false });
    origin = new URL(t.url).origin;
  });
  afterAll(async () => {
    await Promise.all([t?.close(), off?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers /console/ and every client route with index.html under a same-origin policy, never cached', async () => {
    for (const path of ['/console/', '/console/stacks', '/console/stacks/9f1c2a4e-0000-4000-8000-000000000000', '/console/templates/web/versions/2', '/console/admin']) {
      const res = await raw(origin, path, { headers: { 'accept-encoding': 'identity' } });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8');
      expect(res.body.toString(), path).toBe(INDEX);
      expect(res.headers['cache-control'], path).toBe('no-cache');
      expect(res.headers['content-security-policy'], path).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    // The policy: this origin only (the WebSocket to /graphql is 'self' too), no inline script.
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|unsafe-eval|script-src[^;]*unsafe-inline/);
    const bare = await raw(origin, '/console');
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/console/');
  });

  it('serves the files with their content types; hashed assets cached for good, compressed when asked, 304 on a known etag', async () => {
    const cases: [string, string][] = [
      ['/console/assets/index-Ab12Cd34.js', 'text/javascript; charset=utf-8'],
      ['/console/assets/index-Ef56Gh78.css', 'text/css; charset=utf-8'],
      ['/console/assets/elk-worker-Zz99.js', 'text/javascript; charset=utf-8'],
      ['/console/logo.svg', 'image/svg+xml'],
    ];
    for (const [path, type] of cases) {
      const res = await raw(origin, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe(type);
      expect(res.headers['cache-control'], path).toBe(path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      expect(res.headers['content-security-policy'], path).toBeUndefined();
    }
    const gz = await raw(origin, '/console/assets/index-Ab12Cd34.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    const etag = String(gz.headers.etag);
    const again = await raw(origin, '/console/assets/index-Ab12Cd34.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await raw(origin, '/console/assets/index-Ab12Cd34.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const post = await raw(origin, '/console/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('reaches nothing outside the build, nor dot files inside it, whatever the path (as an attacker would write it)', async () => {
    const attempts = [
      '/console/../secret.txt',
      '/console/../../package.json',
      '/console/assets/../../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/%2E%2E/%2E%2E/package.json',
      '/console/..%2fsecret.txt',
      '/console/assets/..%2f..%2fsecret.txt',
      '/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/console/..%5csecret.txt',
      '/console/assets/..\\..\\secret.txt',
      `/console/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      `/console/${join(dir, 'secret.txt')}`,
      `/console//${join(dir, 'passwd').slice(1)}`,
      '/console//etc/passwd',
      '/console/%2fetc%2fpasswd',
      '/console/.build-stamp',
      '/console/assets/missing-0000.js',
      '/console/assets/',
      '/console/index.html/',
      '/console/file:///etc/passwd',
      '/console/%00index.html',
      '/console/index.html%00.js',
    ];
    for (const path of attempts) {
      const res = await raw(origin, path);
      const body = res.body.toString();
      expect(body, path).not.toContain('root:x:0:0');
      expect(body, path).not.toContain('"name": "aos"');
      expect(body, path).not.toBe('stamp');
      // Either nothing, or the page itself (a client route the console will call "not found").
      if (res.status === 200) expect(body, path).toBe(INDEX);
      else expect(res.status, path).toBe(404);
    }
    // A script asked for but missing is 404, never the HTML page (a script must not get HTML).
    expect((await raw(origin, '/console/assets/index-00000000.js')).status).toBe(404);
    expect((await raw(origin, '/console/stacks/app.js')).status).toBe(404);
  });

  it('is off with AOS_CONSOLE=off (404, like any unknown path), the API unchanged', async () => {
    const offOrigin = new URL(off.url).origin;
    for (const path of ['/console/', '/console', '/console/assets/index-Ab12Cd34.js', '/console/stacks']) {
      expect((await raw(offOrigin, path)).status, path).toBe(404);
    }
    expect((await raw(offOrigin, '/health')).status).toBe(200);
  });

  it('stays on in production (unlike GraphiQL), and says so when the console was never built', async () => {
    const production = await startTestApp({ consoleDir: build, production: true });
    const unbuilt = await startTestApp({ consoleDir: join(dir, 'nothing-here') });
    try {
      const res = await raw(new URL(production.url).origin, '/console/stacks');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(INDEX);
      const missing = await raw(new URL(unbuilt.url).origin, '/console/');
      expect(missing.status).toBe(503);
      expect(missing.body.toString()).toContain('npm run up');
    } finally {
      await Promise.all([production.close(), unbuilt.close()]);
    }
  });
});
