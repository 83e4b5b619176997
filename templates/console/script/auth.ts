/**
 * Browser script, part 3: signing in. Local mode asks the local cloud for a development token;
 * Cognito mode runs the hosted UI's authorization-code flow with PKCE (S256) and keeps the ID
 * token, which the API's JWT authorizer accepts as the Bearer token. Tokens live in
 * sessionStorage: one tab, gone when it closes.
 */
export const authScript = String.raw`
// ---- Authentication -------------------------------------------------------------------------

const CONFIG = JSON.parse(document.getElementById('relance-config').textContent);
const TOKEN_KEY = 'relance.token';
const PENDING_LOGIN_KEY = 'relance.login';
const SCOPES = 'openid email profile';

function currentToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The token's claims, for display only (the API verifies the token). */
function tokenClaims() {
  const token = currentToken();
  try {
    return token ? JSON.parse(decodeBase64Url(token.split('.')[1])) : {};
  } catch (error) {
    return {};
  }
}

async function developmentLogin(orgId) {
  const response = await fetch('/_local/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(orgId ? { orgId } : {}) });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.token !== 'string') {
    throw new Error('The local cloud refused the development login (HTTP ' + response.status + ').');
  }
  sessionStorage.setItem(TOKEN_KEY, body.token);
}

function randomText(byteCount) {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

async function beginHostedLogin() {
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
  location.assign(CONFIG.domain + '/oauth2/authorize?' + query.toString());
}

/**
 * Finishes a hosted-UI sign-in when the URL carries its answer (?code=…&state=…): checks the
 * state against the one this tab sent, exchanges the code with the PKCE verifier and keeps
 * the ID token. Answers whether the URL carried an answer; throws when sign-in failed.
 */
async function completeHostedLogin() {
  const answer = new URLSearchParams(location.search);
  if (!answer.has('code') && !answer.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_LOGIN_KEY) || 'null');
  sessionStorage.removeItem(PENDING_LOGIN_KEY);
  history.replaceState(null, '', location.pathname + ((pending && pending.returnTo) || ''));
  if (answer.has('error')) {
    throw new Error('Sign-in failed: ' + (answer.get('error_description') || answer.get('error')));
  }
  if (!pending || !answer.get('state') || pending.state !== answer.get('state')) {
    throw new Error('Sign-in was refused: the answer does not match a sign-in started in this tab. Please try again.');
  }
  const response = await fetch(CONFIG.domain + '/oauth2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CONFIG.clientId,
      code: answer.get('code'),
      redirect_uri: CONFIG.redirectUri,
      code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || typeof tokens.id_token !== 'string') {
    throw new Error('The sign-in code could not be exchanged for a token (' + (tokens.error || 'HTTP ' + response.status) + ').');
  }
  sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
  return true;
}

function logout() {
  forgetToken();
  if (CONFIG.mode === 'cognito') {
    const query = new URLSearchParams({ client_id: CONFIG.clientId, logout_uri: CONFIG.redirectUri });
    location.assign(CONFIG.domain + '/logout?' + query.toString());
    return;
  }
  showLogin('You are signed out.');
}
`;
