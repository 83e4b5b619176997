import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { listenOn, type PortReservation } from './net.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LocalAuth } from './auth.js';
import type { LocalClock } from './clock.js';
import type { LocalFunctions } from './functions.js';
import type { CfnTemplate } from './template.js';

/** One API Gateway route, read from the synthesized template. */
export interface ApiRoute {
  method: string;
  segments: string[];
  routeKey: string;
  jwt: boolean;
  functionName: string;
}

type Token = unknown;

function refOf(value: Token): string | null {
  if (typeof value === 'object' && value !== null && 'Ref' in value) return String((value as { Ref: unknown }).Ref);
  if (typeof value === 'object' && value !== null && 'Fn::Join' in value) {
    const [, parts] = (value as { 'Fn::Join': [string, Token[]] })['Fn::Join'];
    for (const p of parts) {
      const r = refOf(p);
      if (r) return r;
    }
  }
  return null;
}

/**
 * The HTTP API's routes as API Gateway will have them: each `AWS::ApiGatewayV2::Route`'s
 * route key and authorization type, and the function its Lambda integration points at.
 */
export function routesFromTemplate(template: CfnTemplate): ApiRoute[] {
  const resources = template.Resources;
  const routes: ApiRoute[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const p = resource.Properties ?? {};
    const integrationId = refOf(p.Target);
    const integration = integrationId ? resources[integrationId] : undefined;
    const uri = integration?.Properties?.IntegrationUri as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const fnId = uri?.['Fn::GetAtt']?.[0];
    const fn = fnId ? resources[fnId] : undefined;
    const functionName = fn?.Properties?.FunctionName;
    if (typeof functionName !== 'string') throw new Error(`route ${String(p.RouteKey)}: cannot resolve its Lambda integration`);
    const [method, path] = String(p.RouteKey).split(' ') as [string, string];
    routes.push({ method, segments: path.split('/').filter(Boolean), routeKey: String(p.RouteKey), jwt: p.AuthorizationType === 'JWT', functionName });
  }
  return routes;
}

/** API Gateway's choice: literal segments beat `{param}`, which beats `{proxy+}`. */
export function matchRoute(routes: ApiRoute[], method: string, path: string): { route: ApiRoute; params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean);
  let best: { route: ApiRoute; params: Record<string, string>; score: number[] } | null = null;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < route.segments.length; i++) {
      const seg = route.segments[i]!;
      if (seg.endsWith('+}')) {
        const rest = parts.slice(i);
        if (rest.length === 0 || i !== route.segments.length - 1) ok = false;
        else params[seg.slice(1, -2)] = rest.join('/');
        score.push(0);
        break;
      }
      const part = parts[i];
      if (part === undefined) {
        ok = false;
        break;
      }
      if (seg.startsWith('{')) {
        params[seg.slice(1, -1)] = decodeURIComponent(part);
        score.push(1);
      } else if (seg === part) {
        score.push(2);
      } else {
        ok = false;
        break;
      }
    }
    const greedy = route.segments.at(-1)?.endsWith('+}') ?? false;
    if (!ok || (!greedy && parts.length !== route.segments.length)) continue;
    if (!best || compareScores(score, best.score) > 0) best = { route, params, score };
  }
  return best && { route: best.route, params: best.params };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

const MAX_BODY = 6 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RangeError('request body over 6 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const TEXTUAL = /^(text\/|application\/(json|x-www-form-urlencoded|javascript|xml))/;

/** The payload-format 2.0 event API Gateway would send for this request. */
export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  route: { routeKey: string; params: Record<string, string> },
  now: Date,
  claims: Record<string, string> | null,
): APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'cookie') headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const textual = body.length === 0 || TEXTUAL.test(String(req.headers['content-type'] ?? 'application/json'));
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim()).filter(Boolean);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.params).length ? { pathParameters: route.params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: String(req.headers.host ?? '127.0.0.1'),
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(req.headers['user-agent'] ?? ''),
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !textual,
  };
}

/** Writes a Lambda result the way API Gateway (payload format 2.0) turns it into a response. */
export function writeResult(res: ServerResponse, result: unknown): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return;
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  res.writeHead(r.statusCode ?? 200, headers);
  res.end(r.body === undefined ? undefined : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The request's path, or null when its target is not a URL path (e.g. `//`). */
function pathOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://local').pathname;
  } catch {
    return null;
  }
}

/** API Gateway answers 400 to a path whose percent-encoding is malformed (`/l/%`, `%E0%A4`). */
export function wellEncoded(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export interface FrontOptions {
  port: number | PortReservation;
  routes: ApiRoute[];
  functions: LocalFunctions;
  auth: LocalAuth;
  clock: LocalClock;
  /** Answers `/_local/...`; returns false when it does not know the path. */
  local: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;
}

/** The HTTP front on 127.0.0.1: routes as API Gateway would, JWT checks as its authorizer would. */
export async function startFront(options: FrontOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch {
        return sendJson(res, 413, { message: 'Request Entity Too Large' });
      }
      const path = pathOf(req.url);
      if (path === null) return sendJson(res, 400, { message: 'Bad Request' });
      if (path.startsWith('/_local/') && (await options.local(req, res, body))) return;
      if (!wellEncoded(path)) return sendJson(res, 400, { message: 'Bad Request' });
      const match = matchRoute(options.routes, req.method ?? 'GET', path);
      if (!match) return sendJson(res, 404, { message: 'Not Found' });
      let claims: Record<string, string> | null = null;
      if (match.route.jwt) {
        const header = String(req.headers.authorization ?? '');
        const token = /^Bearer (.+)$/i.exec(header)?.[1];
        claims = token ? await options.auth.verify(token) : null;
        if (!claims) return sendJson(res, 401, { message: 'Unauthorized' });
      }
      const event = toEvent(req, body, { routeKey: match.route.routeKey, params: match.params }, options.clock.now(), claims);
      const result = await options.functions.invoke(match.route.functionName, event);
      writeResult(res, result);
    })().catch((error: unknown) => {
      console.error(`local front: ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.end();
    });
  });
  const port = await listenOn(server, options.port);
  return { server, url: `http://127.0.0.1:${port}` };
}
