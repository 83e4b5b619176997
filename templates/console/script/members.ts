/**
 * Browser script, part 8: members (GET/POST /api/members, GET/PATCH /api/members/{memberId},
 * GET /api/members/{memberId}/memberships) and starting a membership (POST /api/memberships).
 */
export const membersScript = String.raw`
// ---- Members --------------------------------------------------------------------------------

const PAGE_SIZE = 25;

/** Stripe's test payment methods (SPEC §8.1): accepted by a test-mode connection and the local emulator. */
const TEST_CARDS = [
  ['pm_card_visa', 'Visa — charges succeed'],
  ['pm_card_mastercard', 'Mastercard — charges succeed'],
  ['pm_card_chargeCustomerFail', 'Saved, then every charge is declined'],
  ['pm_card_authenticationRequired', 'Needs 3-D Secure on every payment'],
  ['pm_card_createDispute', 'Charges succeed, then the payment is disputed'],
];

function cardOptions(noneLabel) {
  return [['', noneLabel]].concat(TEST_CARDS.map(([token, label]) => [token, label + ' (' + token + ')']));
}

function interventionText(member) {
  return member.intervention.required ? 'Required: ' + member.intervention.reason : 'Not required';
}

async function membersPage() {
  const columns = [
    { label: 'Name', cell: (m) => link(routeTo('members', m.id), m.name) },
    { label: 'E-mail', cell: (m) => m.email },
    { label: 'Language', cell: (m) => (m.locale ? localeName(m.locale) : 'Organisation’s') },
    { label: 'Opt-in', cell: (m) => yesNo(m.communicationsOptIn) },
    { label: 'Auto-renew', cell: (m) => yesNo(m.autoRenew) },
    { label: 'Card', cell: (m) => (m.paymentMethod ? m.paymentMethod.brand + ' •••• ' + m.paymentMethod.last4 : 'None') },
    { label: 'Intervention', cell: (m) => (m.intervention.required ? badge('intervention') : '') },
  ];
  const list = await pagedTable(
    columns,
    async (cursor) => (await api.get(withQuery('/api/members', { limit: PAGE_SIZE, cursor }))).data,
    'No members yet.',
  );
  return [pageHeader('Members', buttonLink('#/members/new', 'New member', 'primary')), card(null, list)];
}

async function memberCreatePage() {
  const form = h(
    'form',
    { class: 'card' },
    row(
      field('Name', textInput('name', '', { required: true, maxlength: 200, autocomplete: 'off' })),
      field('E-mail', textInput('email', '', { type: 'email', required: true, autocomplete: 'off' })),
    ),
    field('Language', selectInput('locale', [['', 'The organisation’s language']].concat(LOCALES), '')),
    checkboxField('communicationsOptIn', 'Agrees to receive communications', false),
    checkboxField('autoRenew', 'Renews automatically', false),
    field('Card (test token)', selectInput('paymentMethod.token', cardOptions('No card'), ''), 'Stripe’s test cards (test mode). In live mode, send the member the card page instead.'),
    formActions(submitButton('Create member'), buttonLink('#/members', 'Cancel', 'secondary')),
  );
  onSubmit(form, async (read) => {
    const token = read.optionalText('paymentMethod.token');
    const created = await api.post('/api/members', {
      name: read.text('name'),
      email: read.text('email'),
      locale: read.optionalText('locale'),
      communicationsOptIn: read.checked('communicationsOptIn'),
      autoRenew: read.checked('autoRenew'),
      paymentMethod: token ? { token } : undefined,
    });
    flash('Member created.');
    navigate(routeTo('members', created.data.id));
  });
  return [pageHeader('New member'), form];
}

async function memberPage(params) {
  const [found, plans] = await Promise.all([api.get(apiPath('members', params.memberId)), listPlans()]);
  const member = found.data;
  const plansById = new Map(plans.map((p) => [p.id, p]));
  /** Every control sends a PATCH with the ETag read, then the page is read again. */
  const patch = async (body, message) => {
    await api.patch(apiPath('members', member.id), body, found.etag);
    flash(message);
    rerender();
  };
  const memberships = await pagedTable(
    membershipColumns(plansById),
    async (cursor) => (await api.get(withQuery(apiPath('members', member.id, 'memberships'), { limit: PAGE_SIZE, cursor }))).data,
    'No memberships yet.',
  );
  return [
    pageHeader(member.name, member.intervention.required ? badge('intervention') : null),
    h(
      'div',
      { class: 'grid' },
      card(
        'Profile',
        facts([
          ['E-mail', member.email],
          ['Language', member.locale ? localeName(member.locale) : 'The organisation’s'],
          ['Card', paymentMethodText(member.paymentMethod)],
          ['Intervention', interventionText(member)],
          ['Member id', h('code', null, member.id)],
          ['Created', instant(member.createdAt)],
        ]),
      ),
      preferencesForm(member, patch),
      interventionForm(member, patch),
      paymentMethodForm(member, patch),
    ),
    card('Memberships', memberships),
    startMembershipForm(member, plans),
  ];
}

function membershipColumns(plansById) {
  return [
    { label: 'Plan', cell: (m) => planLink(m.planId, plansById) },
    { label: 'Status', cell: (m) => link(routeTo('memberships', m.id), badge(m.status)) },
    { label: 'Current term', cell: (m) => termRange(m.currentTerm) },
    { label: 'Next billing', cell: (m) => m.nextBillingDate },
    { label: 'Ends', cell: (m) => m.terminationDate },
    { label: 'Details', cell: (m) => link(routeTo('memberships', m.id), 'Open') },
  ];
}

function planLink(planId, plansById) {
  const plan = plansById.get(planId);
  return link(routeTo('plans', planId), plan ? plan.name : planId);
}

function termRange(term) {
  return term.start + ' → ' + (term.end || 'no end');
}

function preferencesForm(member, patch) {
  const form = h(
    'form',
    { class: 'card' },
    h('h2', null, 'Preferences'),
    checkboxField('communicationsOptIn', 'Agrees to receive communications', member.communicationsOptIn),
    checkboxField('autoRenew', 'Renews automatically', member.autoRenew),
    formActions(submitButton('Save preferences')),
  );
  return onSubmit(form, (read) =>
    patch({ communicationsOptIn: read.checked('communicationsOptIn'), autoRenew: read.checked('autoRenew') }, 'Preferences saved.'),
  );
}

function interventionForm(member, patch) {
  const form = h(
    'form',
    { class: 'card' },
    h('h2', null, 'Intervention'),
    checkboxField('intervention.required', 'An admin must intervene before automatic actions', member.intervention.required),
    field('Reason', h('textarea', { name: 'intervention.reason', rows: 2, maxlength: 500, value: member.intervention.reason || '' }), 'Required when intervention is required.'),
    formActions(submitButton('Save intervention')),
  );
  return onSubmit(form, (read) => {
    const required = read.checked('intervention.required');
    const intervention = required ? { required, reason: read.optionalText('intervention.reason') } : { required };
    return patch({ intervention }, required ? 'Intervention flag set.' : 'Intervention flag cleared.');
  });
}

function paymentMethodForm(member, patch) {
  const remove = member.paymentMethod
    ? button('Remove card', () => patch({ paymentMethod: null }, 'Card removed.').catch((error) => showFormError(form, error)), 'danger')
    : null;
  const form = h(
    'form',
    { class: 'card' },
    h('h2', null, 'Payment method'),
    h('p', null, paymentMethodText(member.paymentMethod)),
    field('New card (test token)', selectInput('paymentMethod.token', cardOptions('Choose a test card'), '', { required: true }), 'The gateway saves the card; a refused token changes nothing.'),
    formActions(submitButton('Save card'), remove),
  );
  return onSubmit(form, (read) => {
    return patch({ paymentMethod: { token: read.text('paymentMethod.token') } }, 'Card saved.');
  });
}

function startMembershipForm(member, plans) {
  const form = h(
    'form',
    { class: 'card' },
    h('h2', null, 'Start a membership'),
    row(
      field('Plan', selectInput('planId', [['', 'Choose a plan']].concat(plans.map((p) => [p.id, p.name + ' — ' + priceText(p)])), '', { required: true })),
      field('Start date', textInput('startDate', '', { type: 'date' }), 'Empty: today, in the organisation’s time zone.'),
    ),
    formActions(submitButton('Start membership')),
  );
  return onSubmit(form, async (read) => {
    const created = await api.post('/api/memberships', {
      memberId: member.id,
      planId: read.text('planId'),
      startDate: read.optionalText('startDate'),
    });
    flash('Membership started.');
    navigate(routeTo('memberships', created.data.id));
  });
}
`;
