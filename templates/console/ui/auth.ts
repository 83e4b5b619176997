/**
 * Signing in. Local mode asks the local cloud for a development token; Cognito mode runs the
 * hosted UI's authorization-code flow with PKCE (S256) and keeps the ID token, which the API's
 * JWT authorizer accepts as the Bearer token. Tokens live in sessionStorage: one tab, gone
 * when it closes.
 */
import { GROUPS_CLAIM, groupsOf } from '../../../shared/domain/groups.js';
import { base64Url, decodeBase64Url } from './amounts.js';

export type ConsoleConfig = { mode: 'local' } | { mode: 'cognito'; domain: string; clientId: string; redirectUri: string };

export const CONFIG = JSON.parse(document.getElementById('relance-config')?.textContent ?? '{"mode":"local"}') as ConsoleConfig;

const TOKEN_KEY = 'relance.token';
const PENDING_LOGIN_KEY = 'relance.login';
const SCOPES = 'openid email profile';

export function currentToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export interface Claims {
  email?: string;
  orgId?: string;
  /** R-CON-5: `owners` (settings, gateway, users) and `staff` (everything else). */
  roles: string[];
}

/** The token's claims, for display and for hiding what a role cannot do (the API enforces). */
export function tokenClaims(): Claims {
  const token = currentToken();
  try {
    const raw = token ? (JSON.parse(decodeBase64Url(token.split('.')[1] ?? '')) as Record<string, unknown>) : {};
    return {
      email: typeof raw.email === 'string' ? raw.email : undefined,
      orgId: typeof raw['custom:orgId'] === 'string' ? (raw['custom:orgId'] as string) : undefined,
      roles: groupsOf(raw[GROUPS_CLAIM]),
    };
  } catch {
    return { roles: [] };
  }
}

export function isOwner(claims: Claims): boolean {
  return claims.roles.includes('owners');
}

export class LoginError extends Error {
  constructor(
    readonly key: 'login.localRefused' | 'login.failed' | 'login.stateMismatch' | 'login.exchangeFailed',
    readonly detail: string = '',
  ) {
    super(key);
  }
}

const LOCAL_LOGIN_KEY = 'relance.localLogin';

/**
 * Local cloud only: a development token for `orgId` (default: the demo organisation, or the one
 * this tab signed in to last) in one group.
 */
export async function developmentLogin(orgId?: string | null, role?: string | null): Promise<void> {
  if (!orgId && !role) {
    const last = JSON.parse(sessionStorage.getItem(LOCAL_LOGIN_KEY) ?? 'null') as { orgId?: string; role?: string } | null;
    orgId = last?.orgId;
    role = last?.role;
  }
  sessionStorage.setItem(LOCAL_LOGIN_KEY, JSON.stringify({ orgId, role }));
  const response = await fetch('/_local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(orgId ? { orgId } : {}), ...(role ? { groups: [role] } : {}) }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: unknown };
  if (!response.ok || typeof body.token !== 'string') throw new LoginError('login.localRefused', String(response.status));
  sessionStorage.setItem(TOKEN_KEY, body.token);
}

function randomText(byteCount: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

export async function beginHostedLogin(): Promise<void> {
  if (CONFIG.mode !== 'cognito') return;
  const verifier = randomText(48);
  const state = randomText(24);
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING_LOGIN_KEY, JSON.stringify({ state, verifier, returnTo: location.hash }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CONFIG.clientId,
    redirect_uri: CONFIG.redirectUri,
    scope: SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${CONFIG.domain}/oauth2/authorize?${query.toString()}`);
}

/**
 * Finishes a hosted-UI sign-in when the URL carries its answer (?code=…&state=…): checks the
 * state against the one this tab sent, exchanges the code with the PKCE verifier and keeps the
 * ID token. Throws a LoginError when sign-in failed.
 */
export async function completeHostedLogin(): Promise<boolean> {
  if (CONFIG.mode !== 'cognito') return false;
  const answer = new URLSearchParams(location.search);
  if (!answer.has('code') && !answer.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_LOGIN_KEY) ?? 'null') as { state: string; verifier: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING_LOGIN_KEY);
  history.replaceState(null, '', location.pathname + (pending?.returnTo ?? ''));
  if (answer.has('error')) throw new LoginError('login.failed', answer.get('error_description') ?? answer.get('error') ?? '');
  if (!pending || !answer.get('state') || pending.state !== answer.get('state')) throw new LoginError('login.stateMismatch');
  const response = await fetch(`${CONFIG.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CONFIG.clientId,
      code: answer.get('code') ?? '',
      redirect_uri: CONFIG.redirectUri,
      code_verifier: pending.verifier,
    }),
  });
  const tokens = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: string };
  if (!response.ok || typeof tokens.id_token !== 'string') throw new LoginError('login.exchangeFailed', tokens.error ?? `HTTP ${response.status}`);
  sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
  return true;
}

/** Cognito mode leaves for the hosted UI's logout; answers false when the console shows its own login. */
export function logout(): boolean {
  forgetToken();
  if (CONFIG.mode !== 'cognito') return false;
  const query = new URLSearchParams({ client_id: CONFIG.clientId, logout_uri: CONFIG.redirectUri });
  location.assign(`${CONFIG.domain}/logout?${query.toString()}`);
  return true;
}
