import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleEnv, consoleHandler, loadConsoleEnv } from '../../functions/handlers/console.js';
import { ConfigError } from '../../shared/config.js';
import { amountText, base64Url, decodeBase64Url, parseAmount } from '../../templates/console/ui/amounts.js';
import { CONSOLE_CHUNK_BUDGET_BYTES, CONSOLE_ENTRY_BUDGET_BYTES, type ConsoleFiles, consoleApp } from '../../templates/console/build.js';
import { consoleStyles } from '../../templates/console/styles.js';

let files: ConsoleFiles = {};
let consoleScript = '';
beforeAll(async () => {
  files = await consoleApp();
  consoleScript = files['app.js']!;
});

const LOCAL: ConsoleEnv = { AUTH_MODE: 'local' };
const COGNITO_DOMAIN = 'https://relance-test.auth.ca-central-1.amazoncognito.com';
const COGNITO_ENV = {
  AUTH_MODE: 'cognito',
  AUTH_DOMAIN: COGNITO_DOMAIN,
  AUTH_CLIENT_ID: '4abc123clientid',
  CONSOLE_URL: 'https://abc123.execute-api.ca-central-1.amazonaws.com/console/',
};
const COGNITO = loadConsoleEnv(COGNITO_ENV);

/** A payload-format 2.0 event as API Gateway sends it to the console function. */
function event(method: string, rawPath: string, query?: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: rawPath === '/' ? 'GET /' : 'GET /console/{proxy+}',
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { host: 'abc123.execute-api.ca-central-1.amazonaws.com', accept: 'text/html' },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.ca-central-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'request-1',
      routeKey: 'GET /console/{proxy+}',
      stage: '$default',
      time: '01/Jan/2027:00:00:00 +0000',
      timeEpoch: 1798761600000,
    },
    isBase64Encoded: false,
  };
}

async function call(env: ConsoleEnv, method: string, path: string, query?: Record<string, string>) {
  const result = (await consoleHandler(env, files)(event(method, path, query))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, headers: (result.headers ?? {}) as Record<string, string>, body: result.body ?? '' };
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

const CONFIG_BLOCK = /<script type="application\/json" id="relance-config">([\s\S]*?)<\/script>/;

function embeddedConfig(page: string): unknown {
  const match = CONFIG_BLOCK.exec(page);
  expect(match, 'the page has a relance-config block').not.toBeNull();
  return JSON.parse(match![1]!);
}

describe('consoleHandler routes (SPEC §7)', () => {
  it('redirects / to /console/', async () => {
    const res = await call(LOCAL, 'GET', '/');

    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/console');
  });

  it('answers the console page for /console/, uncached', async () => {
    const res = await call(LOCAL, 'GET', '/console/');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain('<div id="app">');
  });

  it.each(['/console/members/mbr_01HZX', '/console/start', '/console'])('answers the same page for %s, so deep links and bookmarks work', async (path) => {
    const page = await call(LOCAL, 'GET', '/console/');
    const deep = await call(LOCAL, 'GET', path);

    expect(deep.status).toBe(200);
    expect(deep.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(deep.body).toBe(page.body);
  });

  it('puts no inline script, style or event handler in the page, so the CSP can forbid them', async () => {
    const page = (await call(COGNITO, 'GET', '/console/')).body;
    const scripts = page.match(/<script\b[^>]*>/g) ?? [];

    expect(scripts).toEqual(['<script type="application/json" id="relance-config">', expect.stringMatching(/^<script type="module" src="\/console\/app\.js\?v=[0-9a-f]{16}">$/)]);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves the script and the stylesheet with their content types', async () => {
    const js = await call(LOCAL, 'GET', '/console/app.js');
    const css = await call(LOCAL, 'GET', '/console/app.css');

    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe(consoleScript);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toBe(consoleStyles);
  });

  it('links the assets by content hash and lets only the current hash be cached for good', async () => {
    const page = (await call(LOCAL, 'GET', '/console/')).body;
    const version = /src="\/console\/app\.js\?v=([0-9a-f]{16})"/.exec(page)?.[1];
    expect(page).toMatch(/href="\/console\/app\.css\?v=[0-9a-f]{16}"/);
    expect(version).toBeDefined();

    const current = await call(LOCAL, 'GET', '/console/app.js', { v: version! });
    const stale = await call(LOCAL, 'GET', '/console/app.js', { v: '0000000000000000' });
    const bare = await call(LOCAL, 'GET', '/console/app.js');

    expect(current.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(stale.headers['cache-control']).toBe('no-cache');
    expect(bare.headers['cache-control']).toBe('no-cache');
  });

  it.each(['/elsewhere', '/console/logo.png', '/console/app.js.map', '/consoles'])('answers 404 with the error shape for %s', async (path) => {
    const res = await call(LOCAL, 'GET', path);

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'not_found', message: expect.stringContaining(path), details: [] } });
  });

  it.each(['POST', 'PUT', 'DELETE', 'HEAD'])('answers 405 to %s, naming GET as allowed', async (method) => {
    const res = await call(LOCAL, method, '/console/');

    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining(method), details: [] } });
  });
});

describe('consoleHandler security headers', () => {
  it.each([
    ['the page', '/console/'],
    ['the script', '/console/app.js'],
    ['the redirect', '/'],
    ['a 404', '/nothing-here'],
  ])('sends the CSP, nosniff and no-referrer with %s', async (_what, path) => {
    const res = await call(LOCAL, 'GET', path);

    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('allows only same-origin scripts, styles and connections in local mode', async () => {
    const csp = directives((await call(LOCAL, 'GET', '/console/')).headers['content-security-policy']!);

    expect(Object.fromEntries(csp)).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'https:'],
      'connect-src': ["'self'"],
      'form-action': ["'self'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('adds the Cognito hosted UI to connect-src and form-action in cognito mode, and nowhere else', async () => {
    const csp = directives((await call(COGNITO, 'GET', '/console/')).headers['content-security-policy']!);

    expect(csp.get('connect-src')).toEqual(["'self'", COGNITO_DOMAIN]);
    expect(csp.get('form-action')).toEqual(["'self'", COGNITO_DOMAIN]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
  });

  it('writes the Cognito domain into the CSP as an origin even when configured with a trailing slash', async () => {
    const env = loadConsoleEnv({ ...COGNITO_ENV, AUTH_DOMAIN: `${COGNITO_DOMAIN}/` });
    const csp = directives((await call(env, 'GET', '/console/')).headers['content-security-policy']!);

    expect(csp.get('connect-src')).toEqual(["'self'", COGNITO_DOMAIN]);
  });
});

describe('consoleHandler embedded configuration', () => {
  it('tells the browser it runs in local mode, with nothing else', async () => {
    const page = (await call(LOCAL, 'GET', '/console/')).body;

    expect(embeddedConfig(page)).toEqual({ mode: 'local' });
  });

  it('gives the browser the hosted UI, the client id and the redirect URI in cognito mode', async () => {
    const page = (await call(COGNITO, 'GET', '/console/')).body;

    expect(embeddedConfig(page)).toEqual({
      mode: 'cognito',
      domain: COGNITO_DOMAIN,
      clientId: COGNITO_ENV.AUTH_CLIENT_ID,
      redirectUri: COGNITO_ENV.CONSOLE_URL,
    });
  });

  it('keeps a hostile value inside the JSON block: it cannot close the script element', async () => {
    const hostile = '</script><script>alert(1)</script><!--<script>';
    const env = loadConsoleEnv({ ...COGNITO_ENV, AUTH_CLIENT_ID: hostile });
    const page = (await call(env, 'GET', '/console/')).body;

    expect(embeddedConfig(page)).toMatchObject({ clientId: hostile });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<!--');
    // The config block and the script tag are the only elements that close a script.
    expect(page.match(/<\/script>/g)).toHaveLength(2);
  });

  it('keeps line and paragraph separators escaped so the JSON is also valid JavaScript', async () => {
    const env = loadConsoleEnv({ ...COGNITO_ENV, AUTH_CLIENT_ID: 'a\u2028b\u2029c&d' });
    const block = CONFIG_BLOCK.exec((await call(env, 'GET', '/console/')).body)![1]!;

    expect(block).not.toMatch(/[\u2028\u2029&]/);
    expect(JSON.parse(block)).toMatchObject({ clientId: 'a\u2028b\u2029c&d' });
  });
});

describe('loadConsoleEnv', () => {
  it('accepts local mode and keeps no other variable', () => {
    expect(loadConsoleEnv({ AUTH_MODE: 'local', TABLE_NAME: 'relance', AWS_REGION: 'ca-central-1' })).toEqual({ AUTH_MODE: 'local' });
  });

  it('accepts cognito mode with its three variables', () => {
    expect(COGNITO).toEqual(COGNITO_ENV);
  });

  it.each(['AUTH_DOMAIN', 'AUTH_CLIENT_ID', 'CONSOLE_URL'] as const)('fails at cold start naming %s when it is missing in cognito mode', (name) => {
    const env: Record<string, string | undefined> = { ...COGNITO_ENV, [name]: undefined };

    expect(() => loadConsoleEnv(env)).toThrow(ConfigError);
    expect(() => loadConsoleEnv(env)).toThrow(`invalid console configuration: ${name} is missing`);
  });

  it('treats an empty variable as missing', () => {
    expect(() => loadConsoleEnv({ ...COGNITO_ENV, AUTH_CLIENT_ID: '' })).toThrow('AUTH_CLIENT_ID is missing');
  });

  it('names AUTH_MODE when it is missing or unknown', () => {
    expect(() => loadConsoleEnv({})).toThrow('AUTH_MODE is missing');
    expect(() => loadConsoleEnv({ AUTH_MODE: 'saml' })).toThrow('AUTH_MODE must be local or cognito');
  });

  it('refuses a hosted UI that is not an https origin', () => {
    expect(() => loadConsoleEnv({ ...COGNITO_ENV, AUTH_DOMAIN: 'http://relance.auth.example' })).toThrow('AUTH_DOMAIN must be an https URL');
    expect(() => loadConsoleEnv({ ...COGNITO_ENV, AUTH_DOMAIN: `${COGNITO_DOMAIN}/oauth2` })).toThrow('AUTH_DOMAIN must be an origin without a path');
    expect(() => loadConsoleEnv({ ...COGNITO_ENV, AUTH_DOMAIN: 'relance-test' })).toThrow('AUTH_DOMAIN must be an https URL');
  });
});

/** The console's TSX sources (templates/console/ui). */
function sources(dir = new URL('../../templates/console/ui/', import.meta.url).pathname): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [{ file: path, text: readFileSync(path, 'utf8') }] : [];
  });
}

describe('console browser script (issue 11, item 6)', () => {
  it(`loads the frame in one minified ES module within ${CONSOLE_ENTRY_BUDGET_BYTES / 1024} KB, and each area of pages in a chunk within ${CONSOLE_CHUNK_BUDGET_BYTES / 1024} KB`, () => {
    const chunks = Object.keys(files).filter((path) => path.startsWith('chunks/'));
    // The entry and what it imports statically run at the first load; areas load on first use.
    const entry = consoleScript;
    const staticImports = [...entry.matchAll(/import\s*(?:[\w{}$,\s*]+from\s*)?["']\.\/(chunks\/[^"']+)["']/g)].map((m) => m[1]!);
    const firstLoad = [entry, ...staticImports.map((path) => files[path]!)].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(firstLoad).toBeGreaterThan(10_000);
    expect(firstLoad).toBeLessThan(CONSOLE_ENTRY_BUDGET_BYTES);
    expect(chunks.length).toBeGreaterThanOrEqual(8);
    for (const path of chunks) expect(Buffer.byteLength(files[path]!), path).toBeLessThan(CONSOLE_CHUNK_BUDGET_BYTES);
  });

  it('serves every chunk, cached for good under its content-hashed name', async () => {
    const chunk = Object.keys(files).find((path) => path.startsWith('chunks/'))!;
    const answer = await call(LOCAL, 'GET', `/console/${chunk}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.body).toBe(files[chunk]);
    expect((await call(LOCAL, 'GET', '/console/chunks/members-NOSUCHHASH.js')).status).toBe(404);
  });

  it('never builds DOM from HTML strings or evaluates code (CSP: no eval, no inline script or style)', () => {
    for (const [path, text] of Object.entries(files)) {
      for (const sink of ['eval(', 'new Function', 'document.write', 'insertAdjacentHTML', 'javascript:']) expect(text, `${path}: ${sink}`).not.toContain(sink);
    }
    // Preact can set innerHTML only through dangerouslySetInnerHTML, which no console source uses.
    for (const { file, text } of sources()) {
      // A style object is set through the CSSOM, which the CSP allows; a style attribute is not.
      for (const sink of ['dangerouslySetInnerHTML', 'innerHTML', 'outerHTML', 'eval(', 'new Function', ' style="', ' style={`', ' style={\'']) {
        expect(text, `${file}: ${sink}`).not.toContain(sink);
      }
    }
  });

  it('reads its configuration from the block the page embeds', async () => {
    const page = (await call(LOCAL, 'GET', '/console/')).body;

    expect(page).toContain('id="relance-config"');
    expect(Object.values(files).some((text) => text.includes('relance-config'))).toBe(true);
  });

  describe('amounts and encodings', () => {
    it('turns an amount typed with a point or a comma into minor units of the currency', () => {
      expect(parseAmount('25', 'CAD')).toBe(2500);
      expect(parseAmount('25.5', 'CAD')).toBe(2550);
      expect(parseAmount('25,05', 'CAD')).toBe(2505);
      expect(parseAmount('1000', 'JPY')).toBe(1000);
      expect(parseAmount('1.5', 'KWD')).toBe(1500);
    });

    it('refuses text that is not an amount of the currency (the form says so next to the field)', () => {
      expect(parseAmount('12.345', 'CAD')).toBeNull();
      expect(parseAmount('douze', 'CAD')).toBeNull();
      expect(parseAmount('-5', 'CAD')).toBeNull();
      expect(parseAmount('10.5', 'JPY')).toBeNull();
    });

    it('writes minor units back for an input in the admin\'s language', () => {
      expect(amountText({ amount: 2500, currency: 'CAD' }, 'en')).toBe('25.00');
      expect(amountText({ amount: 2550, currency: 'CAD' }, 'fr-CA')).toBe('25,50');
      expect(amountText({ amount: 1000, currency: 'JPY' }, 'en')).toBe('1000');
    });

    it('encodes PKCE bytes as unpadded base64url and decodes token segments', () => {
      expect(base64Url(new Uint8Array([251, 255, 191]))).toBe('-_-_');
      expect(base64Url(new Uint8Array([1]))).toBe('AQ');
      expect(decodeBase64Url(Buffer.from('{"email":"léa@example.org"}').toString('base64url'))).toBe('{"email":"léa@example.org"}');
    });
  });
});
