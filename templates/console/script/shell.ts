/**
 * Browser script, last part: the login screen, the console's frame (top bar, navigation,
 * local-cloud panel) and the hash router that picks a view. A view is an async function
 * (params, query) answering the nodes of its page.
 */
export const shellScript = String.raw`
// ---- Shell and router -----------------------------------------------------------------------

const ROUTES = [
  ['members', membersPage],
  ['members/new', memberCreatePage],
  ['members/:memberId', memberPage],
  ['memberships/:membershipId', membershipPage],
  ['plans', plansPage],
  ['plans/new', planCreatePage],
  ['plans/:planId', planPage],
  ['plans/:planId/edit', planEditPage],
  ['invoices', invoicesPage],
  ['settings', settingsPage],
  ['settings/edit', settingsEditPage],
].map(([pattern, view]) => ({ segments: pattern.split('/'), view }));

const NAVIGATION = [
  ['members', 'Members'],
  ['plans', 'Plans'],
  ['invoices', 'Open invoices'],
  ['settings', 'Settings'],
];
const HOME = '#/members';

const root = document.getElementById('app');
/** The console frame while signed in; null on the login screen. */
let frame = null;
let renderCount = 0;
let pendingFlash = null;

/** '#/plans/p1/edit?x=1' → { segments: ['plans', 'p1', 'edit'], query } */
function currentLocation() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch (error) {
        return s;
      }
    });
  return { segments, query: new URLSearchParams(search || '') };
}

/** The first route whose literal segments and parameter count fit. */
function matchRoute(segments) {
  for (const route of ROUTES) {
    if (route.segments.length !== segments.length) continue;
    const params = {};
    const fits = route.segments.every((part, i) => {
      if (part.startsWith(':')) params[part.slice(1)] = segments[i];
      return part.startsWith(':') || part === segments[i];
    });
    if (fits) return { view: route.view, params };
  }
  return null;
}

function navigate(hash) {
  if (location.hash === hash) rerender();
  else location.hash = hash;
}

/** A message shown above the next page rendered. */
function flash(message) {
  pendingFlash = message;
}

async function rerender() {
  if (!frame) return;
  const { segments, query } = currentLocation();
  if (segments.length === 0) {
    location.replace(HOME);
    return;
  }
  const renderId = ++renderCount;
  const match = matchRoute(segments);
  markNavigation(segments[0]);
  frame.main.setAttribute('aria-busy', 'true');
  let content;
  try {
    content = match ? await match.view(match.params, query) : [pageHeader('Page not found'), muted('There is no console page at this address.')];
  } catch (error) {
    if (error instanceof SessionEnded) return;
    content = [pageHeader(error.status === 404 ? 'Not found' : 'Something went wrong'), errorBox(error)];
  }
  if (renderId !== renderCount || !frame) return;
  const message = pendingFlash ? notice(pendingFlash, 'ok') : null;
  pendingFlash = null;
  frame.main.replaceChildren();
  append(frame.main, [message, content]);
  frame.main.removeAttribute('aria-busy');
  const heading = frame.main.querySelector('h1');
  document.title = (heading ? heading.textContent + ' · ' : '') + 'Relance';
  // R-CON-4: a new page moves the keyboard and the screen reader to its heading (not on the first load).
  if (heading && renderId > 1) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

function markNavigation(section) {
  for (const a of frame.nav.querySelectorAll('a')) {
    if (a.getAttribute('data-section') === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function showConsole() {
  const claims = tokenClaims();
  const nav = h(
    'nav',
    { class: 'main-nav', 'aria-label': 'Main' },
    NAVIGATION.map(([section, label]) => h('a', { href: '#/' + section, 'data-section': section }, label)),
  );
  const main = h('main', { id: 'main', tabindex: -1 });
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: HOME }, 'Relance'),
    nav,
    h(
      'div',
      { class: 'user' },
      h('span', { class: 'muted' }, [claims.email, claims['custom:orgId']].filter(Boolean).join(' · ')),
      button('Log out', logout, 'link'),
    ),
  );
  const layout = h('div', { class: CONFIG.mode === 'local' ? 'layout with-panel' : 'layout' }, main, CONFIG.mode === 'local' ? localCloudPanel() : null);
  frame = { main, nav };
  root.replaceChildren(header, layout);
  rerender();
}

function showLogin(message) {
  frame = null;
  const status = h('div', null, message ? notice(message, 'info') : null);
  const signIn = async () => {
    status.replaceChildren();
    try {
      if (CONFIG.mode === 'local') {
        await developmentLogin();
        showConsole();
      } else {
        await beginHostedLogin();
      }
    } catch (error) {
      status.replaceChildren(notice(error.message, 'error'));
    }
  };
  const local = CONFIG.mode === 'local';
  root.replaceChildren(
    h(
      'main',
      { class: 'login' },
      h(
        'div',
        { class: 'card login-card' },
        h('h1', null, 'Relance'),
        h('p', null, 'Membership renewals and dunning — administration console.'),
        status,
        button(local ? 'Development login' : 'Sign in', signIn, 'primary'),
        local ? muted('Local cloud only: signs you in as the demo organisation’s administrator.') : null,
      ),
    ),
  );
  document.title = 'Sign in · Relance';
}

async function start() {
  // GET /_local/login lands here with ?login=local (local cloud only): sign in at once.
  const query = new URLSearchParams(location.search);
  if (CONFIG.mode === 'local' && query.get('login') === 'local') {
    history.replaceState(null, '', location.pathname + location.hash);
    try {
      await developmentLogin(query.get('org'));
    } catch (error) {
      showLogin(error.message);
      return;
    }
  }
  if (CONFIG.mode === 'cognito') {
    try {
      await completeHostedLogin();
    } catch (error) {
      showLogin(error.message);
      return;
    }
  }
  if (currentToken()) showConsole();
  else showLogin();
}

window.addEventListener('hashchange', rerender);
start();
`;
