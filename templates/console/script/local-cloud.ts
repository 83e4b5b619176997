/**
 * Browser script, part 10: the "Local cloud" panel, shown only in local mode. It reads and
 * advances the local clock (POST /_local/clock fires every timer that falls due) and lists the
 * e-mails the local SES accepted.
 */
export const localCloudScript = String.raw`
// ---- Local cloud (local mode only) ----------------------------------------------------------

const CLOCK_STEPS = [
  ['P1D', '+1 day'],
  ['P7D', '+7 days'],
  ['P30D', '+30 days'],
];
const EMAILS_SHOWN = 20;
const LOCAL_LINKS = [
  ['/_local/schedules', 'Schedules'],
  ['/_local/executions', 'Executions'],
  ['/_local/payments', 'Payments'],
];

function listText(value) {
  return Array.isArray(value) ? value.join(', ') : value;
}

function localCloudPanel() {
  const clock = h('span', null, '…');
  const fired = h('div', { class: 'fired', 'aria-live': 'polite' });
  const emails = h('div', { class: 'emails' });
  const recipient = h('input', { type: 'search', placeholder: 'Filter by recipient', 'aria-label': 'Filter e-mails by recipient' });
  const steps = CLOCK_STEPS.map(([duration, label]) => button(label, () => advanceClock(duration), 'secondary'));

  async function refreshClock() {
    try {
      clock.replaceChildren(instant((await api.get('/_local/clock')).data.now));
    } catch (error) {
      clock.replaceChildren(errorBox(error));
    }
  }

  async function refreshEmails() {
    try {
      const items = (await api.get(withQuery('/_local/emails', { to: recipient.value.trim() }))).data.items;
      emails.replaceChildren(emailList(items.slice().reverse()));
    } catch (error) {
      emails.replaceChildren(errorBox(error));
    }
  }

  async function advanceClock(duration) {
    for (const b of steps) b.disabled = true;
    fired.replaceChildren(muted('Advancing the clock…'));
    try {
      const result = (await api.post('/_local/clock', { advance: duration })).data;
      clock.replaceChildren(instant(result.now));
      fired.replaceChildren(firedList(result.fired));
      // The development token expires on the local clock: take a fresh one.
      await developmentLogin();
      await refreshEmails();
      rerender();
    } catch (error) {
      fired.replaceChildren(errorBox(error));
    } finally {
      for (const b of steps) b.disabled = false;
    }
  }

  recipient.addEventListener('change', refreshEmails);
  refreshClock();
  refreshEmails();
  return h(
    'aside',
    { class: 'local-cloud', 'aria-label': 'Local cloud' },
    h('h2', null, 'Local cloud'),
    h('p', { class: 'clock' }, 'Clock: ', clock),
    h('div', { class: 'button-row' }, steps, button('Refresh', () => Promise.all([refreshClock(), refreshEmails()]), 'link')),
    fired,
    h('h3', null, 'E-mails sent'),
    recipient,
    emails,
    h('p', { class: 'local-links' }, LOCAL_LINKS.map(([href, label]) => externalLink(href, label))),
  );
}

function firedList(fired) {
  if (!fired || fired.length === 0) return muted('Nothing fell due.');
  return h(
    'div',
    null,
    h('p', null, fired.length === 1 ? '1 thing fired:' : fired.length + ' things fired:'),
    h(
      'ul',
      { class: 'fired-list' },
      fired.map((f) =>
        h(
          'li',
          { class: f.outcome === 'error' ? 'failed' : null },
          instant(f.at),
          ' ',
          h('code', null, f.label),
          f.outcome === 'error' ? [' — failed: ', f.error || 'error'] : null,
        ),
      ),
    ),
  );
}

/** Newest first: the EMAILS_SHOWN most recent, the rest behind a button. */
function emailList(items) {
  if (items.length === 0) return muted('No e-mails yet.');
  const list = h('ul', { class: 'email-list' }, items.slice(0, EMAILS_SHOWN).map(emailItem));
  if (items.length <= EMAILS_SHOWN) return list;
  const more = button('Show all ' + items.length, () => {
    append(list, items.slice(EMAILS_SHOWN).map(emailItem));
    more.remove();
  }, 'link');
  return h('div', null, list, more);
}

function emailItem(mail) {
  return h(
    'li',
    null,
    h(
      'details',
      null,
      h('summary', null, h('span', { class: 'email-subject' }, mail.subject || '(no subject)'), h('span', { class: 'muted' }, listText(mail.to) + ' · ' + formatInstant(mail.at))),
      facts([
        ['From', mail.from],
        ['Reply-to', listText(mail.replyTo)],
      ]),
      h('pre', { class: 'email-text' }, mail.text || '(no text part)'),
    ),
  );
}
`;
