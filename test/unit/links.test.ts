import { createHmac } from 'node:crypto';
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

/** The token split into its four parts. */
const partsOf = (token: string) => token.split('.') as [string, string, string, string];
/** A token over any payload text, signed with the right key: only the encoding or the claims can make it fail. */
const resigned = (payloadText: string, kid = 'k1') => {
  const signed = `v1.${kid}.${payloadText}`;
  return `${signed}.${createHmac('sha256', Buffer.from('a'.repeat(40))).update(signed).digest('base64url')}`;
};
const payloadOf = (object: unknown) => Buffer.from(JSON.stringify(object)).toString('base64url');
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same last character with its lowest (unused) bit set: decodes leniently to the same bytes. */
const withUnusedBit = (text: string) => text.slice(0, -1) + B64URL[B64URL.indexOf(text.at(-1)!) | 1];
/** A genuine token whose parts satisfy `accept` (varying only the jti). */
function tokenWhere(accept: (parts: [string, string, string, string]) => boolean): string {
  for (let i = 0; i < 10_000; i++) {
    const token = signLink(keys, { ...claims, jti: `j${i}` });
    if (accept(partsOf(token))) return token;
  }
  throw new Error('no such token');
}

describe('strict link decoding (R-LNK-3)', () => {
  it('R-LNK-3: a genuine link still verifies, and so does one re-signed over the canonical payload', () => {
    const token = signLink(keys, claims);
    expect(reasonOf(() => verifyLink(keys, token, now))).toBe('ok');
    const [, , payload] = partsOf(token);
    expect(resigned(payload)).toBe(token);
  });

  it("R-LNK-3: a trailing '=' or '==' (padding) is invalid", () => {
    const token = signLink(keys, claims);
    expect(reasonOf(() => verifyLink(keys, `${token}=`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${token}==`, now))).toBe('invalid');
    // Padding on the payload, even correctly signed, is not the canonical encoding.
    const padded = tokenWhere(([, , p]) => p.length % 4 !== 0);
    const [, , payload] = partsOf(padded);
    const pad = '='.repeat(4 - (payload.length % 4));
    expect(reasonOf(() => verifyLink(keys, resigned(payload), now))).toBe('ok');
    expect(reasonOf(() => verifyLink(keys, resigned(payload + pad), now))).toBe('invalid');
  });

  it('R-LNK-3: a NUL or space appended (a decoded %00 or %20) is invalid', () => {
    const token = signLink(keys, claims);
    expect(reasonOf(() => verifyLink(keys, `${token}\u0000`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${token} `, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, ` ${token}`, now))).toBe('invalid');
    const [, , payload] = partsOf(token);
    expect(reasonOf(() => verifyLink(keys, resigned(`${payload}\u0000`), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(`${payload} `), now))).toBe('invalid');
  });

  it("R-LNK-3: a literal '%00' or '%20' left in the token is invalid", () => {
    const token = signLink(keys, claims);
    expect(reasonOf(() => verifyLink(keys, `${token}%00`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${token}%20`, now))).toBe('invalid');
    // A lone '%' is skipped by the lenient decoder, which then reads the same 32 bytes.
    expect(reasonOf(() => verifyLink(keys, `${token}%`, now))).toBe('invalid');
    const [, , payload] = partsOf(token);
    expect(reasonOf(() => verifyLink(keys, resigned(`${payload}%00`), now))).toBe('invalid');
  });

  it('R-LNK-3: a set unused low bit in the last character of the signature is invalid', () => {
    const token = signLink(keys, claims);
    const [v, kid, payload, sig] = partsOf(token);
    expect(sig).toHaveLength(43);
    const flipped = withUnusedBit(sig);
    // Arrange check: the lenient decoder reads the same 32 bytes from both.
    expect(flipped).not.toBe(sig);
    expect(Buffer.from(flipped, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${flipped}`, now))).toBe('invalid');
  });

  it('R-LNK-3: a set unused low bit in the last character of the payload is invalid, even correctly signed', () => {
    const [, , payload] = partsOf(tokenWhere(([, , p]) => p.length % 4 !== 0));
    const flipped = withUnusedBit(payload);
    expect(flipped).not.toBe(payload);
    expect(Buffer.from(flipped, 'base64url').equals(Buffer.from(payload, 'base64url'))).toBe(true);
    expect(reasonOf(() => verifyLink(keys, resigned(flipped), now))).toBe('invalid');
  });

  it('R-LNK-3: characters outside the base64url alphabet are invalid (standard base64, other case prefix, non-ASCII)', () => {
    const token = tokenWhere(([, , , s]) => /[-_]/.test(s));
    const [v, kid, payload, sig] = partsOf(token);
    const standard = sig.replaceAll('-', '+').replaceAll('_', '/');
    expect(Buffer.from(standard, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${standard}`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `V1.${kid}.${payload}.${sig}`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${sig.slice(0, -1)}\u00e9`, now))).toBe('invalid');
    // '~' and '?' (0x7e, 0x3f) encode to '-' and '_' in some positions.
    const p = payloadOf({ p: 'renew', o: 'demo', m: 'ms_1', e: claims.exp, j: '~~~???' });
    expect(p).toMatch(/[-_]/);
    expect(reasonOf(() => verifyLink(keys, resigned(p), now))).toBe('ok');
    expect(reasonOf(() => verifyLink(keys, resigned(p.replaceAll('-', '+').replaceAll('_', '/')), now))).toBe('invalid');
  });

  it('R-LNK-3: a signature of any length other than the 32-byte HMAC is invalid', () => {
    const [v, kid, payload, sig] = partsOf(signLink(keys, claims));
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${sig.slice(0, 42)}`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${sig}AAAA`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.${kid}.${payload}.${sig}.x`, now))).toBe('invalid');
  });

  it("R-LNK-3: a key id naming an inherited property (e.g. 'constructor') is an unknown key, so invalid", () => {
    const [v, , payload, sig] = partsOf(signLink(keys, claims));
    expect(reasonOf(() => verifyLink(keys, `${v}.constructor.${payload}.${sig}`, now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, `${v}.toString.${payload}.${sig}`, now))).toBe('invalid');
  });

  it('R-LNK-3: a payload that is not exactly the expected object is invalid, even signed with the right key', () => {
    const good = { p: 'renew', o: 'demo', m: 'ms_1', e: claims.exp, j: 'jti1' };
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf(good)), now))).toBe('ok');
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf({ ...good, x: 1 })), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf({ ...good, e: claims.exp + 0.5 })), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf({ ...good, e: String(claims.exp) })), now))).toBe('invalid');
    const { j: _j, ...missing } = good;
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf(missing)), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf({ ...good, p: 'delete' })), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf([good])), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(payloadOf(null)), now))).toBe('invalid');
    expect(reasonOf(() => verifyLink(keys, resigned(Buffer.from('{"p":').toString('base64url')), now))).toBe('invalid');
    // Not UTF-8: the lenient decoder would replace the byte and read on.
    const latin1 = Buffer.concat([Buffer.from(JSON.stringify({ ...good, o: 'd' }).slice(0, -1)), Buffer.from([0xe9]), Buffer.from('"}')]);
    expect(reasonOf(() => verifyLink(keys, resigned(latin1.toString('base64url')), now))).toBe('invalid');
  });
});
