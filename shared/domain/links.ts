import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed member links (R-LNK-1): `v1.<kid>.<payload>.<signature>`, where the payload is
 * base64url JSON of purpose, organisation, membership, expiry and a single-use id, and the
 * signature is HMAC-SHA256 over `v1.<kid>.<payload>` with the key named by `kid`. Keys rotate
 * by id: new links use the current key, old ones verify while their key is kept.
 */
export const LINK_PURPOSES = ['renew', 'cancel', 'authenticate', 'update_payment', 'manage', 'notice'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/**
 * How long each kind of link lives, in days. `renew` and `cancel` are single-use actions;
 * `authenticate`, `update_payment` (give a card, which pays what is owed at once) and `manage`
 * (the member's own page, which only reads) can be opened again until they expire. `notice`
 * (R-NOT-2: accept, or ask for changes) is single-use; a reminder carries a new one.
 */
export const LINK_DAYS: Record<LinkPurpose, number> = { renew: 60, cancel: 60, authenticate: 30, update_payment: 30, manage: 60, notice: 90 };

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
/** Generous for a URL path segment; refused before any decoding. */
const MAX_TOKEN = 2048;
/**
 * The whole token, exactly: version, key id, a payload and a 43-character signature (a 32-byte
 * HMAC-SHA256, unpadded), all in the base64url alphabet. Nothing before, after or between.
 */
const TOKEN = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
const PAYLOAD_KEYS = ['e', 'j', 'm', 'o', 'p'];
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function sign(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/**
 * Canonical unpadded base64url only, or null. Buffer's decoder is lenient (it skips padding and
 * stray characters and ignores the unused low bits of the last character), so a text is
 * accepted only if encoding its bytes gives back exactly that text.
 */
function decodeBase64url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/** The claims if the payload bytes are exactly the object signLink writes, or null. */
function claimsOf(bytes: Buffer): LinkClaims | null {
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(bytes));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const keys = Object.keys(raw).sort();
  if (keys.length !== PAYLOAD_KEYS.length || keys.some((k, i) => k !== PAYLOAD_KEYS[i])) return null;
  const { p, o, m, e, j } = raw as Record<string, unknown>;
  if (
    !LINK_PURPOSES.includes(p as LinkPurpose) ||
    typeof o !== 'string' ||
    o === '' ||
    typeof m !== 'string' ||
    m === '' ||
    !Number.isSafeInteger(e) ||
    (e as number) < 0 ||
    typeof j !== 'string' ||
    j === ''
  ) {
    return null;
  }
  return { purpose: p as LinkPurpose, orgId: o, membershipId: m, exp: e as number, jti: j };
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

/** The URL of a member link of `purpose` for a membership, valid LINK_DAYS[purpose] from `now`. */
export function memberLinkUrl(keys: LinkKeys, baseUrl: string, link: { purpose: LinkPurpose; orgId: string; membershipId: string }, now: Date): string {
  const exp = Math.floor(now.getTime() / 1000) + LINK_DAYS[link.purpose] * 86_400;
  return `${baseUrl}/l/${signLink(keys, { ...link, exp })}`;
}

/**
 * The claims of a genuine, unexpired link. Throws LinkError('invalid') for anything
 * malformed, tampered or signed with an unknown key, and LinkError('expired') after expiry.
 * The form is checked first (strict: one token has one spelling), then the signature in
 * constant time, then the payload, which must be exactly the object signLink writes.
 */
export function verifyLink(keys: LinkKeys, token: string, now: Date): LinkClaims {
  const match = token.length <= MAX_TOKEN ? TOKEN.exec(token) : null;
  if (!match) throw new LinkError('invalid');
  const [, kid, payload, signature] = match as unknown as [string, string, string, string];
  const payloadBytes = decodeBase64url(payload);
  const given = decodeBase64url(signature);
  if (!payloadBytes || !given || given.length !== 32) throw new LinkError('invalid');
  const key = Object.hasOwn(keys.keys, kid) ? keys.keys[kid] : undefined;
  if (!key) throw new LinkError('invalid');
  const expected = sign(key, `${VERSION}.${kid}.${payload}`);
  if (!timingSafeEqual(given, expected)) throw new LinkError('invalid');
  const claims = claimsOf(payloadBytes);
  if (!claims) throw new LinkError('invalid');
  if (now.getTime() >= claims.exp * 1000) throw new LinkError('expired', claims);
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
