import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { linksHandler } from '../../functions/handlers/links.js';
import { lambdaContext } from '../../infra/local/functions.js';
import type { Deps } from '../../shared/deps.js';
import { generateLinkKeys, parseLinkKeys } from '../../shared/domain/links.js';

const deps = {
  linkKeys: parseLinkKeys(generateLinkKeys()),
  clock: { now: () => new Date('2027-01-15T15:00:00Z') },
  config: { PUBLIC_BASE_URL: 'https://relance.example' },
  store: { getSettings: async () => null },
} as unknown as Deps;

function event(rawPath: string): APIGatewayProxyEventV2 {
  return { rawPath, requestContext: { http: { method: 'GET' } }, headers: {} } as unknown as APIGatewayProxyEventV2;
}

describe('member link handler (R-LNK-3)', () => {
  it('R-LNK-3: a path with broken percent-encoding and no path parameter is an invalid link (400 page), not a 500', async () => {
    const result = (await linksHandler(deps)(event('/l/%E0%A4%A'), lambdaContext('links'))) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['content-type']).toContain('text/html');
  });
});
