/**
 * Browser script, part 4: talking to the admin API and the local cloud, and showing their
 * errors ({ error: { code, message, details: [{ field?, message, rule? }] } }).
 */
export const apiScript = String.raw`
// ---- API client -----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const error = body && typeof body.error === 'object' && body.error ? body.error : null;
    const message = (error && error.message) || (body && body.message) || 'The request failed (HTTP ' + status + ').';
    super(message);
    this.status = status;
    this.code = error ? error.code : 'http_' + status;
    this.details = error && Array.isArray(error.details) ? error.details : [];
  }
}

/** Thrown after a 401 has sent the user back to the login screen; views ignore it. */
class SessionEnded extends Error {}

async function readJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    return { message: text.slice(0, 200) };
  }
}

async function send(method, path, options) {
  const headers = { accept: 'application/json' };
  const token = currentToken();
  if (token && path.startsWith('/api/')) headers.authorization = 'Bearer ' + token;
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, cache: 'no-store', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (error) {
    throw new ApiError(0, { error: { code: 'network_error', message: 'The server could not be reached. Check the connection and try again.', details: [] } });
  }
  const body = await readJson(response);
  if (response.status === 401 && path.startsWith('/api/')) {
    forgetToken();
    showLogin('Your session has ended. Please sign in again.');
    throw new SessionEnded('session ended');
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return { data: body, etag: response.headers.get('etag') };
}

const api = {
  get: (path) => send('GET', path, {}),
  post: (path, body) => send('POST', path, { body: body === undefined ? {} : body }),
  put: (path, body, ifMatch) => send('PUT', path, { body, ifMatch }),
  patch: (path, body, ifMatch) => send('PATCH', path, { body, ifMatch }),
};

/** '/api/members/' + the id, each segment encoded. */
function apiPath(...segments) {
  return '/api/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
}

/** Reads a resource, answering null instead of throwing when it does not exist. */
async function getOrNull(path) {
  try {
    return await api.get(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function errorBox(error) {
  const details = error.details || [];
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert' },
    h('p', { class: 'alert-title' }, error.message || String(error)),
    details.length === 0
      ? null
      : h(
          'ul',
          null,
          details.map((d) => h('li', null, d.field ? [h('code', null, d.field), ': '] : null, d.message, d.rule ? ' (' + d.rule + ')' : null)),
        ),
  );
}
`;
