import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT, createLocalJWKSet } from 'jose';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { GROUPS_CLAIM, ORG_CLAIM } from '../../shared/adapters/http/request.js';
import type { LocalClock } from './clock.js';

/**
 * A local stand-in for the Cognito user pool and the API Gateway JWT authorizer. It signs
 * ID tokens shaped like Cognito's (RS256, `token_use: id`, `aud` = the app client,
 * `custom:orgId`) and verifies them the way the authorizer does: signature against the
 * issuer's JWKS, issuer, audience, expiry and not-before. Claims reach the handler as strings.
 */
export const LOCAL_CLIENT_ID = 'relance-local-console';
const TOKEN_TTL_SECONDS = 3600;

export interface LocalAuth {
  issuer: string;
  jwks(): { keys: JWK[] };
  /** R-CON-5: `groups` are the user's Cognito groups (the demo admin is an owner). */
  mint(input: { orgId: string; email: string; sub?: string; groups?: string[] }): Promise<string>;
  /** The claims API Gateway hands the handler, or null when the authorizer would answer 401. */
  verify(token: string): Promise<Record<string, string> | null>;
}

interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function startLocalAuth(options: { issuer: string; clock: LocalClock; keyFile?: string }): Promise<LocalAuth> {
  let keys: KeyFile;
  if (options.keyFile && existsSync(options.keyFile)) {
    keys = JSON.parse(readFileSync(options.keyFile, 'utf8')) as KeyFile;
  } else {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    keys = { kid, privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: 'RS256' }, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } };
    if (options.keyFile) writeFileSync(options.keyFile, JSON.stringify(keys), { mode: 0o600 });
  }
  const privateKey = await importJWK(keys.privateJwk, 'RS256');
  const jwks = createLocalJWKSet({ keys: [keys.publicJwk] });
  const nowSeconds = () => Math.floor(options.clock.now().getTime() / 1000);

  return {
    issuer: options.issuer,
    jwks: () => ({ keys: [keys.publicJwk] }),
    async mint({ orgId, email, sub, groups = ['owners'] }) {
      const iat = nowSeconds();
      return new SignJWT({ email, email_verified: true, [ORG_CLAIM]: orgId, ...(groups.length > 0 ? { [GROUPS_CLAIM]: groups } : {}), token_use: 'id', auth_time: iat })
        .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
        .setIssuer(options.issuer)
        .setAudience(LOCAL_CLIENT_ID)
        .setSubject(sub ?? randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + TOKEN_TTL_SECONDS)
        .sign(privateKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: LOCAL_CLIENT_ID,
          algorithms: ['RS256'],
          currentDate: options.clock.now(),
        });
        // As the HTTP API's authorizer does: an array claim becomes `[a b]`, other values their JSON.
        return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : JSON.stringify(v)]));
      } catch {
        return null;
      }
    },
  };
}
