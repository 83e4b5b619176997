/**
 * Browser script, part 1: building the DOM. Every node is made with createElement and every
 * piece of data goes in as a text node or a property, never as HTML.
 *
 * The script parts are plain JavaScript in String.raw literals: they must not contain a
 * backtick or a dollar sign followed by a brace.
 */
export const domScript = String.raw`
// ---- DOM building -------------------------------------------------------------------------

/** Properties set after the children exist (a select's value needs its options). */
const LATE_PROPERTIES = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'open']);

/**
 * h('a', { href: '#/plans', class: 'button', onclick: fn }, 'Plans') — attributes, listeners
 * (on…), late properties; children are nodes or text, nested arrays allowed, null skipped.
 */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  const late = [];
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (LATE_PROPERTIES.has(key)) late.push([key, value]);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  for (const [key, value] of late) el[key] = value;
  return el;
}

function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === true) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** A hash route such as #/members/mbr_1, each segment encoded. */
function routeTo(...segments) {
  return '#/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
}

function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? path + '?' + text : path;
}

function link(href, ...children) {
  return h('a', { href }, ...children);
}

function buttonLink(href, label, kind) {
  return h('a', { href, class: ['button', kind] }, label);
}

function button(label, onclick, kind) {
  return h('button', { type: 'button', class: kind, onclick }, label);
}

function externalLink(href, label) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label);
}

function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', null, title), h('div', { class: 'actions' }, actions));
}

function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, children);
}

/** A definition list of [label, value] pairs; a value may be a node; pairs without a label are skipped. */
function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter((pair) => pair && pair[0]).map(([label, value]) => [h('dt', null, label), h('dd', null, display(value))]),
  );
}

function display(value) {
  if (value instanceof Node || Array.isArray(value)) return value;
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

function muted(text) {
  return h('p', { class: 'muted' }, text);
}

function badge(status) {
  const value = String(status);
  return h('span', { class: 'badge badge-' + value.replace(/[^a-z_]/g, '') }, value.replace(/_/g, ' '));
}

function yesNo(value) {
  return value ? 'Yes' : 'No';
}

/**
 * columns: [{ label, cell: (row) => node or text }]. Cells carry their column label so narrow
 * screens can show each row as a small card.
 */
function tableHead(columns) {
  return h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.label))));
}

function tableRow(columns, row) {
  return h('tr', null, columns.map((c) => h('td', { 'data-label': c.label }, display(c.cell(row)))));
}

/**
 * The scrolling box around a table: reachable by keyboard (it may scroll sideways on a narrow
 * screen, WCAG 2.1.1) and named by its columns.
 */
function tableWrap(columns, tableNode) {
  const name = 'Table: ' + columns.map((c) => c.label).filter(Boolean).join(', ');
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': name }, tableNode);
}

function table(columns, rows, emptyText) {
  if (rows.length === 0) return h('p', { class: 'empty' }, emptyText);
  return tableWrap(columns, h('table', null, tableHead(columns), h('tbody', null, rows.map((r) => tableRow(columns, r)))));
}

/**
 * A table fed by a paginated API list ({ items, nextCursor }): the first page now, the next
 * ones on "Load more". loadPage(cursor) answers one page.
 */
async function pagedTable(columns, loadPage, emptyText) {
  const tbody = h('tbody');
  const problem = h('div');
  const more = h('button', { type: 'button', class: 'secondary' }, 'Load more');
  let cursor = null;
  async function loadNext() {
    const page = await loadPage(cursor);
    append(tbody, page.items.map((row) => tableRow(columns, row)));
    cursor = page.nextCursor || null;
    more.hidden = cursor === null;
  }
  more.addEventListener('click', async () => {
    more.disabled = true;
    problem.replaceChildren();
    try {
      await loadNext();
    } catch (error) {
      append(problem, errorBox(error));
    } finally {
      more.disabled = false;
    }
  });
  await loadNext();
  if (tbody.children.length === 0) return h('p', { class: 'empty' }, emptyText);
  return h('div', null, tableWrap(columns, h('table', null, tableHead(columns), tbody)), h('div', { class: 'pager' }, more), problem);
}

function notice(text, kind) {
  return h('div', { class: ['alert', 'alert-' + kind], role: kind === 'error' ? 'alert' : 'status' }, text);
}
`;
