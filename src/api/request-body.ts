import type { GraphQLParams, Plugin } from 'graphql-yoga';

function errorResponse(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** Reads at most `limit` bytes; null when the body is longer (the rest is never buffered). */
async function readBounded(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * POST bodies: JSON only, bounded in size, one operation per request (no batching). Errors are
 * plain HTTP answers (413, 415, 400) with a GraphQL-shaped body, before any parsing or validation.
 */
export function requestBodyPlugin(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      setRequestParser(async (req): Promise<GraphQLParams | Response> => {
        const type = req.headers.get('content-type') ?? '';
        if (!/^application\/(graphql-response\+)?json\b/i.test(type)) {
          return errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request as application/json');
        }
        const declared = Number(req.headers.get('content-length') ?? NaN);
        if (Number.isFinite(declared) && declared > maxBytes) {
          return errorResponse(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${maxBytes} bytes`);
        }
        const text = await readBounded(req, maxBytes);
        if (text === null) return errorResponse(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${maxBytes} bytes`);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (error) {
          return errorResponse(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${(error as Error).message}`);
        }
        if (Array.isArray(body)) return errorResponse(400, 'BATCHING_DISABLED', 'batched requests are not accepted: send one operation per request');
        if (!body || typeof body !== 'object') return errorResponse(400, 'BAD_REQUEST', 'the request body must be a JSON object with a "query"');
        const params = body as Record<string, unknown>;
        if (typeof params.query !== 'string') return errorResponse(400, 'BAD_REQUEST', '"query" must be a string');
        if (params.variables != null && (typeof params.variables !== 'object' || Array.isArray(params.variables))) {
          return errorResponse(400, 'BAD_REQUEST', '"variables" must be an object');
        }
        return {
          query: params.query,
          operationName: typeof params.operationName === 'string' ? params.operationName : undefined,
          variables: (params.variables as Record<string, unknown> | undefined) ?? undefined,
          extensions: (params.extensions as Record<string, unknown> | undefined) ?? undefined,
        };
      });
    },
  };
}
