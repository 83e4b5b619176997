import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed member links (R-LNK-1): `v1.<kid>.<payload>.<signature>`, where the payload is
 * base64url JSON of purpose, organisation, membership, expiry and a single-use id, and the
 * signature is HMAC-SHA256 over `v1.<kid>.<payload>` with the key named by `kid`. Keys rotate
 * by id: new links use the current key, old ones verify while their key is kept.
 */
export const LINK_PURPOSES = ['renew', 'cancel'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

export interface LinkClaims {
  purpose: LinkPurpose;
  orgId: string;
  membershipId: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Unique id of this link, recorded when a single-use link is used. */
  jti: string;
}

export interface LinkKeys {
  current: string;
  keys: Record<string, Buffer>;
}

export type LinkFailure = 'invalid' | 'expired';

export class LinkError extends Error {
  constructor(
    readonly reason: LinkFailure,
    /** For an expired link, its (authentic) claims, e.g. to brand the error page. */
    readonly claims?: LinkClaims,
  ) {
    super(`link ${reason}`);
  }
}

const VERSION = 'v1';
const KID = /^[A-Za-z0-9_-]{1,32}$/;

function sign(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

export function signLink(keys: LinkKeys, claims: Omit<LinkClaims, 'jti'> & { jti?: string }): string {
  const key = keys.keys[keys.current];
  if (!key) throw new Error(`the current link key ${keys.current} is not among the keys`);
  const payload: Record<string, unknown> = {
    p: claims.purpose,
    o: claims.orgId,
    m: claims.membershipId,
    e: claims.exp,
    j: claims.jti ?? randomBytes(12).toString('base64url'),
  };
  const signed = `${VERSION}.${keys.current}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${signed}.${sign(key, signed).toString('base64url')}`;
}

/**
 * The claims of a genuine, unexpired link. Throws LinkError('invalid') for anything
 * malformed, tampered or signed with an unknown key, and LinkError('expired') after expiry.
 */
export function verifyLink(keys: LinkKeys, token: string, now: Date): LinkClaims {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || !KID.test(parts[1]!)) throw new LinkError('invalid');
  const [version, kid, payload, signature] = parts as [string, string, string, string];
  const key = keys.keys[kid];
  if (!key) throw new LinkError('invalid');
  const expected = sign(key, `${version}.${kid}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LinkError('invalid');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new LinkError('invalid');
  }
  const { p, o, m, e, j } = raw;
  if (
    !LINK_PURPOSES.includes(p as LinkPurpose) ||
    typeof o !== 'string' ||
    typeof m !== 'string' ||
    typeof e !== 'number' ||
    typeof j !== 'string'
  ) {
    throw new LinkError('invalid');
  }
  const claims: LinkClaims = { purpose: p as LinkPurpose, orgId: o, membershipId: m, exp: e, jti: j };
  if (now.getTime() >= e * 1000) throw new LinkError('expired', claims);
  return claims;
}

/** `{ "current": "k2", "k1": "<secret>", "k2": "<secret>" }` → LinkKeys (each secret ≥ 32 chars). */
export function parseLinkKeys(json: string): LinkKeys {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('link keys are not JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw new Error('link keys must be a JSON object');
  const { current, ...rest } = raw as Record<string, unknown>;
  const keys: Record<string, Buffer> = {};
  for (const [kid, secret] of Object.entries(rest)) {
    if (!KID.test(kid) || typeof secret !== 'string' || secret.length < 32) {
      throw new Error(`link key ${kid} must have an id of [A-Za-z0-9_-] and a secret of at least 32 characters`);
    }
    keys[kid] = Buffer.from(secret, 'utf8');
  }
  if (typeof current !== 'string' || !keys[current]) throw new Error('link keys need "current" naming one of the keys');
  return { current, keys };
}

/** A fresh key set for local use. */
export function generateLinkKeys(): string {
  return JSON.stringify({ current: 'local1', local1: randomBytes(32).toString('base64url') });
}
