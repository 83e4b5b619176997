import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { PAGE_CSP, renderPage } from '../../templates/pages/render.js';
import type { Deps } from '../../shared/deps.js';
import { actOnLink, type LinkPageResult, showLink } from '../../shared/use-cases/links.js';

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'cache-control': 'no-store',
  // The token is in the URL: never leak it to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

/**
 * The largest form accepted: a notice's message (R-NOT-2) is up to 1000 characters, and a
 * character can take 9 bytes once UTF-8 and percent-encoded.
 */
const MAX_FORM = 16_384;

/** `application/x-www-form-urlencoded` body of the page's form. */
function formOf(event: APIGatewayProxyEventV2): Record<string, string> {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.length > MAX_FORM) return {};
  return Object.fromEntries(new URLSearchParams(text));
}

/** The raw path's last segment, percent-decoded; a malformed escape is simply not a valid token. */
function lastSegment(rawPath: string): string {
  const segment = rawPath.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * GET /l/{token} shows the page with one button and changes nothing (R-LNK-2); POST acts and
 * shows the result. Errors are pages, not JSON: a member reads them.
 */
export function linksHandler(deps: Deps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .handler(async (event) => {
      const token = event.pathParameters?.token ?? lastSegment(event.rawPath);
      const method = event.requestContext.http.method;
      let result: LinkPageResult;
      if (method === 'GET') result = await showLink(deps, token);
      else if (method === 'POST') result = await actOnLink(deps, token, formOf(event));
      else return { statusCode: 405, headers: { ...HEADERS, allow: 'GET, POST' }, body: '' };
      const actionUrl = `${deps.config.PUBLIC_BASE_URL}/l/${encodeURIComponent(token)}`;
      return { statusCode: result.status, headers: HEADERS, body: renderPage(result.page, { locale: result.locale, branding: result.branding }, actionUrl) };
    })
    .use({
      onError: async (request) => {
        console.error(JSON.stringify({ level: 'error', msg: 'link page failed', error: String(request.error), stack: (request.error as Error)?.stack }));
        request.response = {
          statusCode: 500,
          headers: HEADERS,
          body: '<!doctype html><html lang="fr-CA"><meta charset="utf-8"><title>Erreur / Error</title><p>Une erreur est survenue; réessayez dans quelques minutes.</p><p lang="en">Something went wrong; please try again in a few minutes.</p></html>',
        };
      },
    });
}
