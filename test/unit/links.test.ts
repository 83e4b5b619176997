import { describe, expect, it } from 'vitest';
import { LinkError, type LinkKeys, parseLinkKeys, signLink, verifyLink } from '../../shared/domain/links.js';

const keys: LinkKeys = parseLinkKeys(JSON.stringify({ current: 'k1', k1: 'a'.repeat(40) }));
const now = new Date('2027-03-01T12:00:00Z');
const claims = { purpose: 'renew' as const, orgId: 'demo', membershipId: 'ms_1', exp: Math.floor(now.getTime() / 1000) + 3600 };
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof LinkError) return error.reason;
    throw error;
  }
};

describe('signed links (R-LNK-1, R-LNK-3)', () => {
  it('R-LNK-1: round-trips purpose, organisation, membership and expiry under a key id', () => {
    const token = signLink(keys, claims);
    expect(token.split('.').slice(0, 2)).toEqual(['v1', 'k1']);
    expect(verifyLink(keys, token, now)).toMatchObject(claims);
  });

  it('R-LNK-3: a changed payload, signature or key id is invalid', () => {
    const token = signLink(keys, claims);
    const [v, kid, payload, sig] = token.split('.') as [string, string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), m: 'ms_2' })).toString('base64url');
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${forged}.${sig}`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${sig.slice(0, -2)}AA`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.k9.${payload}.${sig}`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, 'garbage', now))).toBe('invalid');
  });

  it('R-LNK-3: an expired link is refused, with its authentic claims for branding', () => {
    const token = signLink(keys, claims);
    const later = new Date((claims.exp + 1) * 1000);
    expect(reasonOf(() => verifyLink(keys, token, later))).toBe('expired');
    try {
      verifyLink(keys, token, later);
    } catch (error) {
      expect((error as LinkError).claims?.orgId).toBe('demo');
    }
  });

  it('R-LNK-1: keys rotate by id: old links verify while their key is kept, new links use the new key', () => {
    const old = signLink(keys, claims);
    const rotated = parseLinkKeys(JSON.stringify({ current: 'k2', k1: 'a'.repeat(40), k2: 'b'.repeat(40) }));
    expect(verifyLink(rotated, old, now).membershipId).toBe('ms_1');
    expect(signLink(rotated, claims).split('.')[1]).toBe('k2');
    const retired = parseLinkKeys(JSON.stringify({ current: 'k2', k2: 'b'.repeat(40) }));
    expect(reasonOf(() => verifyLink(retired, old, now))).toBe('invalid');
  });

  it('refuses weak or malformed key sets', () => {
    expect(() => parseLinkKeys(JSON.stringify({ current: 'k1', k1: 'short' }))).toThrow(/32 characters/);
    expect(() => parseLinkKeys(JSON.stringify({ current: 'k3', k1: 'a'.repeat(40) }))).toThrow(/current/);
  });
});
