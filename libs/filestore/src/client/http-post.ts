import http from 'node:http';

/** What a POST got back: its status and whole body, read as text by the caller. */
export interface PostAnswer {
  readonly status: number;
  text(): Promise<string>;
}

/** The error a POST fails with when no complete answer came within its time: named like fetch's timeout. */
class PostTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * POSTs one body with node:http on a keep-alive agent and reads the whole answer (an append's answer is a small
 * JSON object). Used for appends instead of fetch: fetch copies a byte body before sending it and costs several
 * times more per request, which a writer sending hundreds of KB per append pays on every call. `timeoutMs` bounds
 * the whole exchange; a connection error rejects with Node's error (its `code` says whether the request was sent).
 */
export function postBody(
  url: string,
  contentType: string,
  body: Uint8Array,
  timeoutMs: number,
  agent: http.Agent,
): Promise<PostAnswer> {
  return new Promise<PostAnswer>((resolve, reject) => {
    const headers = { 'content-type': contentType, 'content-length': String(body.byteLength) };
    const request = http.request(url, { method: 'POST', headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, text: () => Promise.resolve(text) });
      });
    });
    const timer = setTimeout(
      () => request.destroy(new PostTimeoutError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}
