/**
 * Browser script, part 9: one membership (GET /api/memberships/{id}) with its terms,
 * invoices, planned timers, timeline and e-mails; and the invoice lists (GET /api/invoices).
 */
export const membershipsScript = String.raw`
// ---- Memberships ----------------------------------------------------------------------------

const INVOICE_STATUSES = ['open', 'paid', 'void', 'uncollectible'];

async function membershipPage(params) {
  const record = (await api.get(apiPath('memberships', params.membershipId))).data;
  const [member, plan] = await Promise.all([getOrNull(apiPath('members', record.memberId)), getOrNull(apiPath('plans', record.planId))]);
  const memberName = member ? member.data.name : record.memberId;
  const planName = plan ? plan.data.name : record.planId;
  return [
    pageHeader(planName + ' — ' + memberName, badge(record.status)),
    card('Membership', membershipFacts(record, memberName, planName)),
    card('Planned timers', timersTable(record.timers)),
    card('Terms', termsTable(record.terms)),
    card('Invoices', invoicesTable(record.invoices, { memberColumn: false })),
    card('Timeline', timelineList(record.timeline)),
    card('E-mails', emailsTable(record.emails)),
  ];
}

function membershipFacts(record, memberName, planName) {
  const billing = record.billing;
  return facts([
    ['Status', badge(record.status)],
    ['Member', link(routeTo('members', record.memberId), memberName)],
    ['Plan', link(routeTo('plans', record.planId), planName)],
    ['Started', record.startDate],
    ['Current term', '#' + record.currentTerm.seq + ': ' + termRange(record.currentTerm)],
    ['Next billing date', record.nextBillingDate],
    ['Termination date', record.terminationDate],
    billing ? ['Sold at', formatMoney(billing.price) + (billing.cadence === 'monthly' ? ' / month' : ' upfront')] : null,
    ['Membership id', h('code', null, record.id)],
    ['Updated', instant(record.updatedAt)],
  ]);
}

function timersTable(timers) {
  const columns = [
    { label: 'When', cell: (t) => instant(t.at) },
    { label: 'Kind', cell: (t) => t.kind.replace(/_/g, ' ') },
    { label: 'About', cell: (t) => t.ref },
  ];
  return [table(columns, timers || [], 'No timer planned.'), timers && timers.length ? muted('Only the first one is armed in the scheduler at a time.') : null];
}

function termsTable(terms) {
  const columns = [
    { label: 'Term', cell: (t) => '#' + t.seq },
    { label: 'Start', cell: (t) => t.start },
    { label: 'End', cell: (t) => t.end || 'no end' },
    { label: 'Status', cell: (t) => badge(t.status) },
    { label: 'Invoice', cell: (t) => (t.invoiceId ? h('code', null, t.invoiceId) : '') },
  ];
  return table(columns, terms || [], 'No terms.');
}

function invoiceColumns(options) {
  return [
    { label: 'Invoice', cell: (i) => [i.description, h('br'), h('code', { class: 'small' }, i.id)] },
    options.memberColumn ? { label: 'Member', cell: (i) => link(routeTo('members', i.memberId), 'Member') } : null,
    options.memberColumn ? { label: 'Membership', cell: (i) => link(routeTo('memberships', i.membershipId), 'Membership') } : null,
    { label: 'Amount', cell: (i) => formatMoney(i.amount) },
    { label: 'Status', cell: (i) => badge(i.status) },
    { label: 'Issued', cell: (i) => i.issueDate },
    { label: 'Due', cell: (i) => i.dueDate },
    { label: 'Payments', cell: (i) => moneyMoves(i.payments) },
    { label: 'Refunds', cell: (i) => moneyMoves(i.refunds) },
    { label: 'Last failure', cell: (i) => (i.lastFailure ? i.lastFailure.code + ': ' + i.lastFailure.message : '') },
    { label: 'Paid', cell: (i) => (i.payment ? instant(i.payment.paidAt) : '') },
  ].filter(Boolean);
}

/** Each payment or refund attempt: its status and the gateway's reference, to find it in the gateway's dashboard. */
function moneyMoves(list) {
  if (!list || list.length === 0) return '';
  return h(
    'ul',
    { class: 'plain' },
    list.map((p) => h('li', null, badge(p.status), ' ', formatMoney(p.amount), ' ', p.reference ? h('code', { class: 'small' }, p.reference) : '')),
  );
}

function invoicesTable(invoices, options) {
  return table(invoiceColumns(options), invoices || [], 'No invoices.');
}

/** Newest first; events at the same instant keep their recorded order reversed. */
function timelineList(timeline) {
  const events = (timeline || []).map((event, index) => ({ event, index }));
  events.sort((a, b) => (a.event.at === b.event.at ? b.index - a.index : a.event.at < b.event.at ? 1 : -1));
  if (events.length === 0) return h('p', { class: 'empty' }, 'Nothing has happened yet.');
  return h(
    'ol',
    { class: 'timeline' },
    events.map(({ event }) =>
      h(
        'li',
        null,
        h('div', { class: 'timeline-head' }, h('strong', null, event.type.replace(/_/g, ' ')), ' ', instant(event.at)),
        h('div', { class: 'muted' }, 'by ' + actorText(event.actor)),
        dataList(event.data),
      ),
    ),
  );
}

function dataList(data) {
  const entries = Object.entries(data || {});
  if (entries.length === 0) return null;
  return h(
    'dl',
    { class: 'data' },
    entries.map(([key, value]) => [h('dt', null, key), h('dd', null, dataValue(value))]),
  );
}

function dataValue(value) {
  if (typeof value === 'string') return value;
  const isMoney = value && typeof value === 'object' && typeof value.amount === 'number' && typeof value.currency === 'string';
  return isMoney ? formatMoney(value) : JSON.stringify(value);
}

function emailsTable(emails) {
  const columns = [
    { label: 'Sent', cell: (e) => instant(e.sentAt) },
    { label: 'Template', cell: (e) => e.template },
    { label: 'To', cell: (e) => listText(e.to) },
    { label: 'Subject', cell: (e) => e.subject },
    { label: 'Status', cell: (e) => badge(e.status) },
  ];
  return table(columns, emails || [], 'No e-mails.');
}

// ---- Invoices -------------------------------------------------------------------------------

async function invoicesPage(params, query) {
  const status = INVOICE_STATUSES.includes(query.get('status')) ? query.get('status') : 'open';
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Invoice status' },
    INVOICE_STATUSES.map((s) => h('a', { href: withQuery('#/invoices', { status: s }), 'aria-current': s === status ? 'page' : null }, s)),
  );
  const list = await pagedTable(
    invoiceColumns({ memberColumn: true }),
    async (cursor) => (await api.get(withQuery('/api/invoices', { status, limit: PAGE_SIZE, cursor }))).data,
    'No ' + status + ' invoices.',
  );
  return [pageHeader(status === 'open' ? 'Open invoices' : 'Invoices: ' + status), tabs, card(null, list)];
}
`;
