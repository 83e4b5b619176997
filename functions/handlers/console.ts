import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ConfigError } from '../../shared/config.js';
import type { ConsoleFiles } from '../../templates/console/build.js';
import { type ConsoleConfig, renderPage } from '../../templates/console/page.js';
import { consoleStyles } from '../../templates/console/styles.js';
import { json } from './http.js';

function isBareOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return url.pathname === '/' && url.search === '' && url.hash === '';
  } catch {
    return true; // not a URL at all: the url check reports it
  }
}

/** The origin of the Cognito hosted UI: https, no path. */
const hostedUiOrigin = z
  .url({ protocol: /^https$/, message: 'must be an https URL' })
  .refine(isBareOrigin, { message: 'must be an origin without a path, such as https://relance.auth.ca-central-1.amazoncognito.com' })
  .transform((value) => new URL(value).origin);

/**
 * The console function's environment (set by the stateless stack; the local cloud passes
 * `{ AUTH_MODE: 'local' }`). Cognito mode names the hosted UI, the app client and the
 * console's own URL, which is the OAuth redirect and logout URI.
 */
export const consoleEnvSchema = z.discriminatedUnion(
  'AUTH_MODE',
  [
    z.object({ AUTH_MODE: z.literal('local') }),
    z.object({
      AUTH_MODE: z.literal('cognito'),
      AUTH_DOMAIN: hostedUiOrigin,
      AUTH_CLIENT_ID: z.string().min(1),
      CONSOLE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    }),
  ],
  { error: 'must be local or cognito' },
);
export type ConsoleEnv = z.output<typeof consoleEnvSchema>;

/** Reads the console's environment once at cold start; a missing variable fails with its name. */
export function loadConsoleEnv(env: Record<string, string | undefined>): ConsoleEnv {
  const parsed = consoleEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return env[name] === undefined || env[name] === '' ? `${name} is missing` : `${name} ${issue.message}`;
  });
  throw new ConfigError(`invalid console configuration: ${problems.join('; ')}`);
}

interface Asset {
  path: string;
  /** The URL the page links to: the path with a content hash, so it can be cached for good. */
  url: string;
  version: string;
  body: string;
  contentType: string;
}

function asset(path: string, body: string, contentType: string): Asset {
  const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { path, url: `${path}?v=${version}`, version, body, contentType };
}

/** The compiled console's files (app.js and its chunks) and the stylesheet, by path. */
function assetsOf(files: ConsoleFiles): Map<string, Asset> {
  const scripts = Object.entries(files).map(([path, body]) => asset(`/console/${path}`, body, 'text/javascript; charset=utf-8'));
  return new Map([...scripts, asset('/console/app.css', consoleStyles, 'text/css; charset=utf-8')].map((a) => [a.path, a]));
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

function browserConfig(env: ConsoleEnv): ConsoleConfig {
  if (env.AUTH_MODE === 'local') return { mode: 'local' };
  return { mode: 'cognito', domain: env.AUTH_DOMAIN, clientId: env.AUTH_CLIENT_ID, redirectUri: env.CONSOLE_URL };
}

export function contentSecurityPolicy(env: ConsoleEnv): string {
  const login = env.AUTH_MODE === 'cognito' ? ` ${env.AUTH_DOMAIN}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    `connect-src 'self'${login}`,
    `form-action 'self'${login}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Resource = { kind: 'redirect'; location: string } | { kind: 'page' } | { kind: 'asset'; asset: Asset };

/** A path with a file extension in its last segment asks for a file, not a console view. */
const FILE_LIKE = /\/[^/]*\.[A-Za-z0-9]+$/;

function resourceAt(assets: Map<string, Asset>, path: string): Resource | null {
  if (path === '/') return { kind: 'redirect', location: '/console' };
  const known = assets.get(path);
  if (known) return { kind: 'asset', asset: known };
  if ((path === '/console' || path.startsWith('/console/')) && !FILE_LIKE.test(path)) return { kind: 'page' };
  return null;
}

function errorBody(code: string, message: string) {
  return { error: { code, message, details: [] } };
}

/**
 * The admin console (SPEC §7): `GET /` redirects to `/console`; `/console` and any deep
 * link under it answer the page; `/console/app.js` and `/console/app.css` answer the assets.
 * The page, its configuration and the asset hashes are built once per cold start; `files` are
 * the compiled console (templates/console/build.ts).
 */
export function consoleHandler(env: ConsoleEnv, files: ConsoleFiles) {
  const assets = assetsOf(files);
  const page = renderPage(browserConfig(env), {
    scriptUrl: assets.get('/console/app.js')!.url,
    styleUrl: assets.get('/console/app.css')!.url,
  });
  const security = {
    'content-security-policy': contentSecurityPolicy(env),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  const respond = (statusCode: number, contentType: string, body: string, cacheControl: string): APIGatewayProxyResultV2 => ({
    statusCode,
    headers: { 'content-type': contentType, 'cache-control': cacheControl, ...security },
    body,
  });

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    const resource = resourceAt(assets, path);
    if (resource === null) return json(404, errorBody('not_found', `nothing is served at ${path}`), security);
    if (method !== 'GET') {
      return json(405, errorBody('method_not_allowed', `${method} is not allowed on ${path}`), { ...security, allow: 'GET' });
    }
    switch (resource.kind) {
      case 'redirect':
        return { statusCode: 302, headers: { location: resource.location, 'cache-control': 'no-store', ...security }, body: '' };
      case 'page':
        return respond(200, 'text/html; charset=utf-8', page, 'no-store');
      case 'asset': {
        // Only the current version may be cached for good; any other URL is revalidated. A
        // chunk's name carries its content hash (chunks/members-3FQ2….js): it is the version.
        const current = event.queryStringParameters?.v === resource.asset.version || resource.asset.path.startsWith('/console/chunks/');
        return respond(200, resource.asset.contentType, resource.asset.body, current ? IMMUTABLE : 'no-cache');
      }
    }
  };
}
