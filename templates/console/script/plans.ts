/**
 * Browser script, part 7: plans (GET/POST /api/plans, GET/PUT /api/plans/{planId}). The form
 * covers every field of the plan input: price, term, billing anchor, renewal policy with its
 * reminders and notice, member cancellation, the dunning ladder and the card-expiry notice.
 */
export const plansScript = String.raw`
// ---- Plans ----------------------------------------------------------------------------------

const RENEWAL_POLICIES = [
  ['none', 'None — the membership ends with its term'],
  ['automatic', 'Automatic — renews and charges the card on file'],
  ['confirmation', 'Confirmation — renews only if the member confirms'],
  ['notice', 'Notice — the member is asked, staff approve, an invoice follows (billed upfront)'],
];
const FINAL_ACTIONS = [
  ['cancel', 'Cancel the membership'],
  ['downgrade', 'Move to a fallback plan'],
  ['leave_unpaid', 'Leave the invoice unpaid'],
];
const DEFAULT_PLAN = {
  name: '',
  price: { amount: null, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
  renewal: { policy: 'automatic', reminderDays: [30, 14, 3], notice: { sendDaysBefore: 45, remindAfterDays: 7 } },
  cancellation: { memberMode: 'immediate' },
  dunning: { retryDays: [3, 8, 13], finalAction: 'cancel', fallbackPlanId: null },
  cardExpiryNoticeDays: 14,
};

function priceText(plan) {
  const per = plan.billing.cadence === 'monthly' ? ' / month' : plan.termMonths ? ' / term' : '';
  return formatMoney(plan.price) + per;
}

function termText(plan) {
  return plan.termMonths ? plan.termMonths + (plan.termMonths === 1 ? ' month' : ' months') : 'No term end';
}

function billingText(billing) {
  const anchor = billing.anchor.type === 'fixedDay' ? 'on day ' + billing.anchor.day + ' of the month' : 'on the purchase date';
  return (billing.cadence === 'monthly' ? 'Monthly' : 'Upfront') + ', ' + anchor;
}

function renewalText(plan) {
  const renewal = plan.renewal;
  if (!renewal) return 'None';
  const parts = [renewal.policy];
  if (renewal.reminderDays.length) parts.push('reminders ' + renewal.reminderDays.join(', ') + ' days before the end');
  if (renewal.notice) parts.push('notice ' + renewal.notice.sendDaysBefore + ' days before, reminder after ' + renewal.notice.remindAfterDays + ' days');
  return parts.join('; ');
}

function dunningText(dunning, plansById) {
  const fallback = dunning.fallbackPlanId ? plansById.get(dunning.fallbackPlanId) : null;
  const action = dunning.finalAction === 'downgrade' ? 'move to ' + (fallback ? fallback.name : dunning.fallbackPlanId) : dunning.finalAction.replace(/_/g, ' ');
  return 'Retries on days ' + dunning.retryDays.join(', ') + ' after the first failure, then ' + action;
}

async function listPlans() {
  return (await api.get('/api/plans')).data.items;
}

async function plansPage() {
  const plans = await listPlans();
  const columns = [
    { label: 'Name', cell: (p) => link(routeTo('plans', p.id), p.name) },
    { label: 'Price', cell: priceText },
    { label: 'Term', cell: termText },
    { label: 'Billing', cell: (p) => billingText(p.billing) },
    { label: 'Renewal', cell: (p) => (p.renewal ? p.renewal.policy : 'none') },
    { label: 'Member cancellation', cell: (p) => p.cancellation.memberMode },
  ];
  return [pageHeader('Plans', buttonLink('#/plans/new', 'New plan', 'primary')), card(null, table(columns, plans, 'No plans yet.'))];
}

async function planPage(params) {
  const [found, plans] = await Promise.all([api.get(apiPath('plans', params.planId)), listPlans()]);
  const plan = found.data;
  const plansById = new Map(plans.map((p) => [p.id, p]));
  return [
    pageHeader(plan.name, buttonLink(routeTo('plans', plan.id, 'edit'), 'Edit', 'primary')),
    card(
      null,
      facts([
        ['Price', priceText(plan)],
        ['Term', termText(plan)],
        ['Billing', billingText(plan.billing)],
        ['Renewal', renewalText(plan)],
        ['Member cancellation', plan.cancellation.memberMode === 'request' ? 'On request (an admin confirms)' : 'Immediate'],
        ['Dunning', dunningText(plan.dunning, plansById)],
        ['Card expiry notice', plan.cardExpiryNoticeDays + ' days before'],
        ['Plan id', h('code', null, plan.id)],
        ['Version', plan.version],
        ['Updated', instant(plan.updatedAt)],
      ]),
    ),
  ];
}

async function planCreatePage() {
  const plans = await listPlans();
  const form = planForm(DEFAULT_PLAN, plans, null, 'Create plan');
  onSubmit(form, async (read) => {
    const created = await api.post('/api/plans', planBody(read));
    flash('Plan created.');
    navigate(routeTo('plans', created.data.id));
  });
  return [pageHeader('New plan'), form];
}

async function planEditPage(params) {
  const [found, plans] = await Promise.all([api.get(apiPath('plans', params.planId)), listPlans()]);
  const form = planForm(found.data, plans, found.data.id, 'Save plan');
  onSubmit(form, async (read) => {
    await api.put(apiPath('plans', params.planId), planBody(read), found.etag);
    flash('Plan saved. Memberships already sold keep the terms they were sold on.');
    navigate(routeTo('plans', params.planId));
  });
  return [pageHeader('Edit ' + found.data.name), form];
}

function planForm(plan, plans, planId, submitLabel) {
  const renewal = plan.renewal || { policy: 'none', reminderDays: [] };
  const notice = renewal.notice || DEFAULT_PLAN.renewal.notice;
  const anchor = plan.billing.anchor;
  const fallbackOptions = [['', 'Choose a plan']].concat(
    plans.filter((p) => p.id !== planId).map((p) => [p.id, p.name + ' (' + formatMoney(p.price) + ')']),
  );
  const form = h(
    'form',
    // Hidden fields are not sent, so the browser must not block on them: the API validates.
    { class: 'card', novalidate: true },
    fieldset(
      'Plan',
      field('Name', textInput('name', plan.name, { required: true, maxlength: 200 })),
      row(
        field('Price', textInput('price.amount', plan.price.amount === null ? '' : majorUnitsText(plan.price), { inputmode: 'decimal', required: true }), 'Per month when billed monthly, per term when billed upfront.'),
        field('Currency', textInput('price.currency', plan.price.currency, { required: true, maxlength: 3, size: 4 })),
        field('Term (months)', numberInput('termMonths', plan.termMonths, 1, 120), 'Leave empty for a plan without a term end.'),
      ),
    ),
    fieldset(
      'Billing',
      row(
        field('Cadence', selectInput('billing.cadence', [['monthly', 'Monthly'], ['upfront', 'Upfront, once per term']], plan.billing.cadence)),
        field('Anchor', selectInput('billing.anchor.type', [['fixedDay', 'A fixed day of the month'], ['purchaseDate', 'The purchase date']], anchor.type)),
        field('Day of the month', numberInput('billing.anchor.day', anchor.type === 'fixedDay' ? anchor.day : 1, 1, 28), '1 to 28.'),
      ),
    ),
    h(
      'fieldset',
      { 'data-field': 'renewal' },
      h('legend', null, 'Renewal'),
      field('Policy', selectInput('renewal.policy', RENEWAL_POLICIES, renewal.policy)),
      field('Reminder days', textInput('renewal.reminderDays', renewal.reminderDays.join(', '), { placeholder: '30, 14, 3' }), 'Days before the term ends, separated by commas.'),
      h(
        'div',
        { class: 'field-row', 'data-field': 'renewal.notice' },
        field('Send the notice (days before the end)', numberInput('renewal.notice.sendDaysBefore', notice.sendDaysBefore, 1, 365)),
        field('Remind after (days without an answer)', numberInput('renewal.notice.remindAfterDays', notice.remindAfterDays, 1, 90)),
      ),
    ),
    h('p', { class: 'muted', 'data-field': 'no-renewal' }, 'A plan without a term end has no renewal policy.'),
    fieldset(
      'Cancellation by the member',
      field('Mode', selectInput('cancellation.memberMode', [['immediate', 'Immediate'], ['request', 'On request (an admin confirms)']], plan.cancellation.memberMode)),
    ),
    fieldset(
      'Dunning',
      field('Retry days', textInput('dunning.retryDays', plan.dunning.retryDays.join(', '), { placeholder: '3, 8, 13' }), 'Days after the first failed charge: 1 to 8 retries, increasing, 1 to 15 days apart.'),
      row(
        field('Then', selectInput('dunning.finalAction', FINAL_ACTIONS, plan.dunning.finalAction)),
        field('Fallback plan', selectInput('dunning.fallbackPlanId', fallbackOptions, plan.dunning.fallbackPlanId || '')),
      ),
    ),
    fieldset(
      'Card expiry',
      field('Warn the member (days before the card expires)', numberInput('cardExpiryNoticeDays', plan.cardExpiryNoticeDays, 1, 60)),
    ),
    formActions(submitButton(submitLabel), buttonLink(planId ? routeTo('plans', planId) : '#/plans', 'Cancel', 'secondary')),
  );
  return keepInSync(form, syncPlanForm);
}

/** Shows only the fields that apply to the current choices. */
function syncPlanForm(form) {
  const value = (name) => form.elements.namedItem(name).value;
  const hasTerm = value('termMonths').trim() !== '';
  const policy = value('renewal.policy');
  showField(form, 'renewal', hasTerm);
  showField(form, 'no-renewal', !hasTerm);
  // A notice replaces plain reminders (R-REN-5).
  showField(form, 'renewal.reminderDays', policy !== 'none' && policy !== 'notice');
  showField(form, 'renewal.notice', policy === 'notice');
  showField(form, 'billing.anchor.day', value('billing.anchor.type') === 'fixedDay');
  showField(form, 'dunning.fallbackPlanId', value('dunning.finalAction') === 'downgrade');
}

/** The POST/PUT body, from the fields that apply. */
function planBody(read) {
  const currency = read.text('price.currency').toUpperCase();
  const anchorType = read.text('billing.anchor.type');
  const finalAction = read.text('dunning.finalAction');
  const body = {
    name: read.text('name'),
    price: { amount: minorUnits(read.text('price.amount'), currency), currency },
    billing: {
      cadence: read.text('billing.cadence'),
      anchor: anchorType === 'fixedDay' ? { type: 'fixedDay', day: read.integer('billing.anchor.day') } : { type: anchorType },
    },
    cancellation: { memberMode: read.text('cancellation.memberMode') },
    dunning: {
      retryDays: read.integers('dunning.retryDays'),
      finalAction,
      fallbackPlanId: finalAction === 'downgrade' ? read.optionalText('dunning.fallbackPlanId') || null : null,
    },
    cardExpiryNoticeDays: read.integer('cardExpiryNoticeDays'),
  };
  const termMonths = read.integer('termMonths');
  if (termMonths !== null) {
    const policy = read.text('renewal.policy');
    body.termMonths = termMonths;
    body.renewal = { policy, reminderDays: policy === 'none' || policy === 'notice' ? [] : read.integers('renewal.reminderDays') };
    if (policy === 'notice') {
      body.renewal.notice = { sendDaysBefore: read.integer('renewal.notice.sendDaysBefore'), remindAfterDays: read.integer('renewal.notice.remindAfterDays') };
    }
  }
  return body;
}
`;
