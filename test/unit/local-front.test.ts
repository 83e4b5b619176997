import { request } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalAuth } from '../../infra/local/auth.js';
import { LocalClock } from '../../infra/local/clock.js';
import { type ApiRoute, startFront } from '../../infra/local/front.js';
import { LocalFunctions } from '../../infra/local/functions.js';

let server: Server;
let base: URL;

/** Sends a request with the path exactly as given (no client-side normalisation). */
function raw(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const route = (method: string, path: string, functionName: string): ApiRoute => ({ method, segments: path.split('/').filter(Boolean), routeKey: `${method} ${path}`, jwt: false, functionName });
  const functions = new LocalFunctions()
    .register('links', async (event: { pathParameters?: Record<string, string> }) => ({ statusCode: 200, body: JSON.stringify(event.pathParameters) }))
    .register('broken', async () => {
      throw new Error('handler bug');
    });
  const front = await startFront({
    port: 0,
    routes: [route('GET', '/l/{token}', 'links'), route('GET', '/broken', 'broken')],
    functions,
    auth: { verify: async () => null } as unknown as LocalAuth,
    clock: new LocalClock(),
    local: async () => false,
  });
  server = front.server;
  base = new URL(front.url);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('local front (API Gateway as npm start runs it)', () => {
  it('passes a well-encoded path parameter decoded', async () => {
    expect(await raw('GET', '/l/a%20b')).toEqual({ status: 200, body: JSON.stringify({ token: 'a b' }) });
  });

  it('answers a path with malformed percent-encoding 400 Bad Request, as API Gateway does (once a 500)', async () => {
    for (const path of ['/l/%', '/l/%zz', '/l/%E0%A4%A', '/nowhere/%']) {
      expect(await raw('GET', path), path).toEqual({ status: 400, body: JSON.stringify({ message: 'Bad Request' }) });
    }
    expect(await raw('GET', '//')).toEqual({ status: 400, body: JSON.stringify({ message: 'Bad Request' }) });
  });

  it('still answers an unknown path 404 and a handler exception 500, logging the exception', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await raw('GET', '/nowhere')).toEqual({ status: 404, body: JSON.stringify({ message: 'Not Found' }) });
    expect(await raw('GET', '/broken')).toEqual({ status: 500, body: JSON.stringify({ message: 'Internal Server Error' }) });
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/GET \/broken: Error: handler bug/));
  });
});
