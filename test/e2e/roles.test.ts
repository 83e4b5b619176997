import { describe, expect, it } from 'vitest';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * R-CON-5: roles come from the user's Cognito groups (the ID token's `cognito:groups`, as the
 * HTTP API's JWT authorizer passes it): owners run settings and the payment gateway; staff do
 * everything else; a user in neither group is refused.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');

async function as(groups: string[], method: string, path: string, body?: unknown) {
  const token = (await cloud().request('POST', '/_local/token', { orgId: 'e2e-club', email: 'marie@club.example', groups })).body.token as string;
  return cloud().request(method, path, body, { authorization: `Bearer ${token}` });
}

describe('roles (R-CON-5)', () => {
  it('R-CON-5: staff run members and renewals but not the settings or the payment gateway; owners do both', async () => {
    expect((await as(['staff'], 'GET', '/api/settings')).status).toBe(200);
    expect((await as(['staff'], 'POST', '/api/members', { name: 'Léa Tremblay', email: 'lea@example.org' })).status).toBe(201);
    expect((await as(['staff'], 'GET', '/api/renewals?board=active')).status).toBe(200);

    const put = await as(['staff'], 'PUT', '/api/settings', { ...SETTINGS, name: 'Renamed by staff' });
    expect(put.status).toBe(403);
    expect(put.body.error).toMatchObject({ code: 'forbidden', details: [{ rule: 'R-CON-5' }] });
    expect((await as(['staff'], 'GET', '/api/gateway')).status).toBe(403);
    expect((await as(['staff'], 'PUT', '/api/gateway', { mode: 'test', secretKey: 'sk_test_x', webhookSecret: 'whsec_x' })).status).toBe(403);
    expect((await cloud().ok('GET', '/api/settings')).name).toBe(SETTINGS.name);

    expect((await as(['owners'], 'PUT', '/api/settings', { ...SETTINGS, name: 'Club renamed' })).status).toBe(200);
    expect((await as(['owners'], 'GET', '/api/members')).status).toBe(200);
  });

  it('R-CON-5: a user in neither group is refused, whatever the route', async () => {
    for (const groups of [[], ['readers']]) {
      const reply = await as(groups, 'GET', '/api/members');
      expect(reply.status).toBe(403);
      expect(reply.body.error.message).toContain('owners nor the staff');
    }
  });
});
