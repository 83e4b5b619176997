import type { LocalDate } from '../../../shared/domain/calendar.js';
import type { Money } from '../../../shared/domain/schema.js';
import { paragraph as p, type Block, type Catalog, type Formatters } from '../content.js';
import type { DunningOutlook, TemplateData } from '../types.js';

/** English copy (Canadian spelling: "cancelled", "e-mail"). */

const cadenceAmount = (f: Formatters, amount: Money, cadence: 'monthly' | 'upfront') =>
  cadence === 'monthly' ? `${f.money(amount)} per month` : f.money(amount);

/** A plan's price with its billing rhythm always said: "CA$25.00 per month", "CA$185.00 per term". */
const pricePer = (f: Formatters, amount: Money, cadence: 'monthly' | 'upfront') =>
  `${f.money(amount)} ${cadence === 'monthly' ? 'per month' : 'per term'}`;

const greet = (name: string) => `Hello ${name},`;

const yourCard = (f: Formatters, card: { brand: string; last4: string } | null) => (card ? `your ${f.card(card.brand, card.last4)}` : 'your card');

const ordinal = (n: number) => {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

const period = (f: Formatters, start: LocalDate, end: LocalDate | null) =>
  end ? `${f.date(start)} to ${f.date(end)}` : `from ${f.date(start)}`;

/** R-DUN-3: what the member loses if nothing is paid by the deadline, as the end of a sentence. */
function loss(f: Formatters, o: DunningOutlook, planName: string): string {
  const stop = f.date(o.stopDate ?? o.deadline);
  switch (o.finalAction) {
    case 'cancel':
      return `your “${planName}” membership will end on ${stop}`;
    case 'downgrade':
      return o.fallback
        ? `your membership will move from “${planName}” to “${o.fallback.planName}” at ${pricePer(f, o.fallback.amount, o.fallback.cadence)} from ${stop}`
        : `your membership will move from “${planName}” to a lesser plan from ${stop}`;
    case 'leave_unpaid':
      return 'the invoice will remain due and we will contact you about it';
  }
}

/** The key data of a dunning e-mail: what is owed, when the card is tried, the deadline and what changes then. */
function dunningFacts(
  f: Formatters,
  d: { planName: string; invoiceId: string; amount: Money; card: { brand: string; last4: string } | null },
  o: DunningOutlook,
  nextRetryOn: LocalDate | null,
): Block {
  const rows: Array<[string, string]> = [
    ['Membership', d.planName],
    ['Invoice', d.invoiceId],
    ['Amount', f.money(d.amount)],
  ];
  if (d.card) rows.push(['Card', f.card(d.card.brand, d.card.last4)]);
  if (nextRetryOn) rows.push(['Next try', f.date(nextRetryOn)]);
  rows.push(['Deadline', f.date(o.deadline)]);
  const stop = f.date(o.stopDate ?? o.deadline);
  if (o.finalAction === 'cancel') rows.push(['Membership ends on', stop]);
  if (o.finalAction === 'downgrade') {
    if (o.fallback) rows.push(['Moves to', `${o.fallback.planName} (${pricePer(f, o.fallback.amount, o.fallback.cadence)})`]);
    rows.push(['From', stop]);
  }
  return { kind: 'facts', rows };
}

const UPDATE_CARD = 'Update my card';
const APPROVE = 'Approve the payment';
const APPROVE_WHY = 'Your bank asks you to approve this payment yourself (a security check such as 3-D Secure). It takes a minute: nothing is charged until you approve it with your bank.';
const PAY_ANOTHER_WAY = 'Would you rather pay another way? Just reply to this e-mail.';
/** R-DUN-3: every dunning e-mail carries the update-card link; beside the approve button, as a link in the text. */
const UPDATE_INSTEAD = (url: string) => p('Would you rather use another card? ', { link: 'Update my card', url }, 'You can also reply to this e-mail to pay another way.');

const RECEIPT_METHOD: Record<TemplateData['payment_receipt']['method'], [label: string, phrase: string]> = {
  card: ['Card', ' by card'],
  cheque: ['Cheque', ' by cheque'],
  transfer: ['Bank transfer', ' by bank transfer'],
  cash: ['Cash', ' in cash'],
  other: ['Other', ''],
};

export const en: Catalog = {
  layout: {
    labelSeparator: ': ',
    card: (brand, last4) => `${brand} ending in ${last4}`,
    signOff: 'Kind regards,',
    staffSignature: (sender, org) => `Automatic notice sent on behalf of ${sender}, ${org}.`,
    replyFooter: (audience) =>
      audience === 'member'
        ? ['Questions? Just reply to this e-mail. Your message will reach ', '.']
        : ['Replies to this e-mail go to ', '.'],
    whyFooter: (audience, org) =>
      audience === 'member'
        ? `You are receiving this e-mail about your membership with ${org}.`
        : `You are receiving this notice as a contact for ${org}.`,
    buttonFallback: 'If the button doesn’t work, copy this link into your browser:',
    manageLink: 'Manage my membership',
    logoAlt: (org) => org,
  },

  templates: {
    reminder_automatic: (d, f) => {
      const org = f.branding.organisationName;
      const renewal = f.date(d.renewalDate);
      const charge = d.cardOnFile
        ? d.cadence === 'monthly'
          ? `Your monthly payment of ${f.money(d.amount)} will continue on your ${f.card(d.cardOnFile.brand, d.cardOnFile.last4)}.`
          : `${f.money(d.amount)} will be charged to your ${f.card(d.cardOnFile.brand, d.cardOnFile.last4)} on ${renewal}.`
        : d.cadence === 'monthly'
          ? `There is no card on file, so you will receive an invoice for ${f.money(d.amount)} by e-mail each month.`
          : `There is no card on file, so an invoice for ${f.money(d.amount)} will follow by e-mail.`;
      return {
        subject: `${org}: your membership renews on ${renewal}`,
        preheader: `Your membership renews automatically on ${renewal}. You can cancel before then.`,
        heading: 'Your membership will renew automatically',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            `Your “${d.planName}” membership ends on ${f.date(d.termEnd)}. It will renew automatically on `,
            { strong: renewal },
            ` for a new term ending on ${f.date(d.newTermEnd)}.`,
          ),
          p(charge),
          {
            kind: 'facts',
            rows: [
              ['Membership', d.planName],
              ['Renews on', renewal],
              ['New expiry date', f.date(d.newTermEnd)],
              ['Amount', cadenceAmount(f, d.amount, d.cadence)],
              ['Payment', d.cardOnFile ? f.card(d.cardOnFile.brand, d.cardOnFile.last4) : 'By invoice'],
            ],
          },
          p('Want to stay? There is nothing to do.'),
          p(
            'If you’d rather not renew, you can cancel ',
            { strong: `before ${renewal}` },
            ' with the link below, which opens a page where you confirm your choice.',
          ),
          { kind: 'button', label: 'Cancel my membership', url: d.cancelUrl },
        ],
      };
    },

    reminder_confirmation: (d, f) => {
      const org = f.branding.organisationName;
      const termEnd = f.date(d.termEnd);
      return {
        subject: `${org}: renew your membership by ${termEnd}`,
        preheader: `Your membership ends on ${termEnd}. One click renews it.`,
        heading: 'Your membership is coming up for renewal',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            `Your “${d.planName}” membership ends on `,
            { strong: termEnd },
            `. To extend it to ${f.date(d.newTermEnd)}, follow the link below and confirm.`,
          ),
          p(
            d.cadence === 'monthly'
              ? `Your monthly billing of ${f.money(d.amount)} will continue.`
              : `Renewing costs ${f.money(d.amount)} for the new term.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Membership', d.planName],
              ['Current expiry date', termEnd],
              ['New expiry date', f.date(d.newTermEnd)],
              ['Amount', cadenceAmount(f, d.amount, d.cadence)],
            ],
          },
          { kind: 'button', label: 'Renew my membership', url: d.renewUrl },
          p(`If you don’t renew, your membership will expire on ${termEnd}.`),
        ],
      };
    },

    renewal_confirmation: (d, f) => {
      const org = f.branding.organisationName;
      const newEnd = f.date(d.newTermEnd);
      const payment = d.charged
        ? `We charged ${f.money(d.charged.amount)} to your ${f.card(d.charged.brand, d.charged.last4)}.`
        : d.cadence === 'monthly'
          ? 'Your monthly billing continues as before.'
          : 'If a payment is due, you will receive an invoice in a separate e-mail.';
      const rows: Array<[string, string]> = [
        ['Membership', d.planName],
        ['New term', `${f.date(d.newTermStart)} to ${newEnd}`],
        ['New expiry date', newEnd],
      ];
      if (d.charged) rows.push(['Amount paid', f.money(d.charged.amount)]);
      return {
        subject: `${org}: your membership is renewed until ${newEnd}`,
        preheader: `Thank you! Your membership is renewed until ${newEnd}.`,
        heading: 'Your membership is renewed',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`Thank you for staying with us! Your “${d.planName}” membership is renewed from ${f.date(d.newTermStart)} to `, { strong: newEnd }, '.'),
          p(payment),
          { kind: 'facts', rows },
        ],
      };
    },

    expired: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: `${org}: your membership has ended`,
        preheader: `Your membership ended on ${f.date(d.termEnd)}. You can join again at any time.`,
        heading: 'Your membership has ended',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`Your “${d.planName}” membership ended on `, { strong: f.date(d.termEnd) }, '. Thank you for being a member!'),
          p('You are welcome to join again at any time: just reply to this e-mail or write to ', { email: f.branding.replyTo }, ', and we will be glad to help.'),
        ],
      };
    },

    invoice: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const due = f.date(d.dueDate);
      const blocks: Block[] = [];
      const here = d.resent ? 'Here is your invoice again' : 'Here is the invoice';
      blocks.push(
        p(
          d.renewal
            ? `${here} for the renewal of your “${d.planName}” membership.`
            : `${here} for this month’s instalment of your “${d.planName}” membership.`,
        ),
        {
          kind: 'facts',
          rows: [
            ['Invoice', d.invoiceId],
            ['Membership', d.planName],
            ['Period', period(f, d.periodStart, d.periodEnd)],
            ['Amount', amount],
            ['Due date', due],
          ],
        },
      );
      if (d.payUrl) {
        blocks.push(
          p('You can pay it by card in a minute with the button below; no login is needed.'),
          { kind: 'button', label: 'Pay by card', url: d.payUrl },
          p(
            'To pay another way, reply to this e-mail or write to ',
            { email: d.replyTo },
            ` and we will tell you which other payment methods we accept. Please mention invoice number ${d.invoiceId}.`,
          ),
        );
      } else {
        blocks.push(
          p(
            'To pay, simply reply to this e-mail or write to ',
            { email: d.replyTo },
            ` and we will tell you which payment methods we accept. Please mention invoice number ${d.invoiceId}.`,
          ),
        );
      }
      return {
        subject: `${org}: your invoice for ${amount} is due ${due}`,
        preheader: `Invoice ${d.invoiceId}: ${amount}, due ${due}.`,
        heading: d.renewal ? 'Your renewal invoice' : 'Your monthly invoice',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks,
      };
    },

    renewal_notice: (d, f) => {
      const org = f.branding.organisationName;
      const termEnd = f.date(d.termEnd);
      const amount = f.money(d.next.amount);
      const reminder = d.reminder > 0;
      return {
        subject: reminder
          ? `${org}: reminder – renewal notice for your “${d.planName}” membership`
          : `${org}: renewal notice for your “${d.planName}” membership`,
        preheader: reminder
          ? `Your renewal notice is still awaiting your answer. Your membership ends on ${termEnd}.`
          : `Your membership ends on ${termEnd}. Accept the renewal or ask for changes in a minute.`,
        heading: reminder ? 'Reminder: your renewal notice' : 'Your renewal notice',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            ...(reminder ? ['Reminder: your renewal notice is still awaiting your answer. '] : []),
            `Your “${d.planName}” membership ends on `,
            { strong: termEnd },
            '. We propose to renew it for the following term:',
          ),
          {
            kind: 'facts',
            rows: [
              ['Current membership', d.planName],
              ['Current term ends on', termEnd],
              ['Renewal plan', d.next.planName],
              ['New term', `${f.date(d.next.start)} to ${f.date(d.next.end)}`],
              ['Amount', amount],
            ],
          },
          p('With the button below, you can accept the renewal or, if something should change, tell us what.'),
          { kind: 'button', label: 'Answer the notice', url: d.answerUrl },
          p(`Once you accept, we will e-mail you an invoice for ${amount}. Your new term starts when it is paid and your current term has ended.`),
          p('If you do not wish to renew, simply reply to this e-mail to let us know.'),
        ],
      };
    },

    notice_change_received: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: `${org}: we received your request for changes to your renewal`,
        preheader: 'Our team will contact you about your renewal. Until then, nothing changes.',
        heading: 'Request for changes received',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`We received your request for changes to the renewal of your “${d.planName}” membership.`),
          { kind: 'quote', label: 'Your message', text: d.message },
          p('A member of our team will contact you about it. Until then, nothing changes on your membership.'),
          p('Anything to add? Just reply to this e-mail.'),
        ],
      };
    },

    notice_change_requested_org: (d, f) => {
      const org = f.branding.organisationName;
      const termEnd = f.date(d.termEnd);
      return {
        subject: `${org}: ${d.memberName} asks for changes to their renewal`,
        preheader: `${d.memberName} asked for changes to the renewal of their membership. Your answer is needed.`,
        heading: 'A renewal notice to review',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) asks for changes to the renewal of their “${d.planName}” membership, whose current term ends on ${termEnd}.`,
          ),
          p(
            'Nothing changes until you act. On the notice, you can edit the next term and approve it, or refuse the renewal; the member will be told by e-mail.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Member', d.memberName],
              ['E-mail', d.memberEmail],
              ['Membership', d.planName],
              ['Current term ends on', termEnd],
            ],
          },
          { kind: 'quote', label: 'Message from the member', text: d.message },
          { kind: 'button', label: 'Open the notice', url: d.noticeUrl },
        ],
      };
    },

    notice_refused: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.lastDay);
      return {
        subject: `${org}: your “${d.planName}” membership will not be renewed`,
        preheader: `Your membership ends on ${last}. You are welcome back any time.`,
        heading: 'Your membership will not be renewed',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`We have recorded that you will not renew your “${d.planName}” membership. It ends on `, { strong: last }, ' (inclusive).'),
          p('You will not be charged: no invoice will be sent for a new term.'),
          {
            kind: 'facts',
            rows: [
              ['Membership', d.planName],
              ['Last day of membership', last],
            ],
          },
          p('Thank you for being a member! You are welcome to join again later: just reply to this e-mail, also if you think this is a mistake.'),
        ],
      };
    },

    cancellation_by_admin: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      const rows: Array<[string, string]> = [
        ['Membership', d.planName],
        ['Last day of access', last],
      ];
      if (d.lastBillingDate) rows.push(['Last billing date', f.date(d.lastBillingDate)]);
      return {
        subject: `${org}: your membership has been cancelled`,
        preheader: `Your membership is cancelled. You keep access until ${last}.`,
        heading: 'Your membership has been cancelled',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`${org} has cancelled your “${d.planName}” membership. You keep access until `, { strong: last }, ' (inclusive).'),
          p(
            d.lastBillingDate
              ? `You will be billed one last time on ${f.date(d.lastBillingDate)}; nothing will be billed after that.`
              : 'You will not be asked for any further payment.',
          ),
          { kind: 'facts', rows },
          p('If you think this is a mistake, just reply to this e-mail.'),
        ],
      };
    },

    cancellation_confirmed_member: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      return {
        subject: `${org}: your membership cancellation is confirmed`,
        preheader: `Cancellation confirmed. You keep access until ${last}.`,
        heading: 'Your cancellation is confirmed',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            `We confirm that your “${d.planName}” membership is cancelled. You keep access until `,
            { strong: last },
            ' (inclusive), and you will not be charged again.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Membership', d.planName],
              ['Last day of access', last],
            ],
          },
          p('We are sorry to see you go. You are welcome back any time!'),
        ],
      };
    },

    cancellation_notice_org: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      return {
        subject: `${org}: ${d.memberName} cancelled their membership`,
        preheader: `${d.memberName} cancelled their membership; last day of access ${last}.`,
        heading: 'A member cancelled their membership',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) cancelled their “${d.planName}” membership from the link in their e-mail. Access ends on ${last} (inclusive); nothing will be billed after that.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Member', d.memberName],
              ['E-mail', d.memberEmail],
              ['Membership', d.planName],
              ['Last day of access', last],
            ],
          },
          ...(d.reason ? [{ kind: 'quote' as const, label: 'Reason given', text: d.reason }] : []),
          { kind: 'button', label: 'View the membership', url: d.membershipUrl },
        ],
      };
    },

    cancellation_request_org: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: `${org}: cancellation request from ${d.memberName}`,
        preheader: `${d.memberName} asked to cancel their membership. Your decision is needed.`,
        heading: 'A cancellation request to review',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) asked to cancel their “${d.planName}” membership. The request was received on ${f.date(d.requestedOn)}.`,
          ),
          p(
            'The membership stays as it is until you decide. You can accept the request and choose the final billing date, or decline it; the member will be told by e-mail.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Member', d.memberName],
              ['E-mail', d.memberEmail],
              ['Membership', d.planName],
              ['Request date', f.date(d.requestedOn)],
            ],
          },
          ...(d.reason ? [{ kind: 'quote' as const, label: 'Reason given', text: d.reason }] : []),
          { kind: 'button', label: 'Review the request', url: d.membershipUrl },
        ],
      };
    },

    cancellation_request_received: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: `${org}: we received your cancellation request`,
        preheader: 'Our team will review your request and answer by e-mail.',
        heading: 'Cancellation request received',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`We received your request to cancel your “${d.planName}” membership.`),
          p(
            'A member of our team will review it and write to you to confirm what happens next, including the end date of your membership. Until then, nothing changes on your membership.',
          ),
          p('Anything to add? Just reply to this e-mail.'),
        ],
      };
    },

    cancellation_request_accepted: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      const rows: Array<[string, string]> = [['Membership', d.planName]];
      if (d.finalBillingDate) rows.push(['Final billing date', f.date(d.finalBillingDate)]);
      rows.push(['Last day of access', last]);
      return {
        subject: `${org}: your cancellation request was accepted`,
        preheader: `Your membership will end on ${last}.`,
        heading: 'Your cancellation request was accepted',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`Your request to cancel your “${d.planName}” membership was accepted. You keep access until `, { strong: last }, ' (inclusive).'),
          p(
            d.finalBillingDate
              ? `Your final billing date is ${f.date(d.finalBillingDate)}; nothing will be billed after it.`
              : 'You will not be asked for any further payment.',
          ),
          { kind: 'facts', rows },
          p('Thank you for being a member. We hope to see you again!'),
        ],
      };
    },

    cancellation_request_declined: (d, f) => {
      const org = f.branding.organisationName;
      const blocks: Block[] = [
        p(`After review, we are unable to accept your request to cancel your “${d.planName}” membership. Your membership continues as usual.`),
      ];
      if (d.reason) blocks.push({ kind: 'quote', label: 'Reason', text: d.reason });
      blocks.push(p('If you would like to talk it over, just reply to this e-mail and we will be glad to help.'));
      return {
        subject: `${org}: your cancellation request was declined`,
        preheader: 'Your membership continues. Reply to this e-mail to talk it over.',
        heading: 'About your cancellation request',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks,
      };
    },

    payment_failed: (d, f) => {
      const org = f.branding.organisationName;
      const card = f.card(d.card.brand, d.card.last4);
      const amount = f.money(d.amount);
      const declined = p(`We tried to charge `, { strong: amount }, ` to your ${card} for your “${d.planName}” membership, and the payment was declined.`);
      const subject = `${org}: we could not charge your card for your membership`;
      const heading = 'Your payment did not go through';
      const facts: Block = {
        kind: 'facts',
        rows: [
          ['Membership', d.planName],
          ['Invoice', d.invoiceId],
          ['Amount', amount],
          ['Card', card],
        ],
      };

      // Mail queued before dunning existed: no deadline to state, no link to update the card.
      if (!d.outlook || !d.updatePaymentUrl) {
        return {
          subject,
          preheader: `The payment of ${amount} for your membership did not go through.`,
          heading,
          greeting: greet(d.memberName),
          audience: 'member',
          blocks: [
            declined,
            ...(d.authenticateUrl
              ? [p(APPROVE_WHY), { kind: 'button' as const, label: APPROVE, url: d.authenticateUrl }]
              : [
                  p(
                    d.hardDecline
                      ? 'Your bank refused this card for good, so we will not try it again. To keep your membership, please give us another card: just reply to this e-mail.'
                      : 'We will try again in a few days. If your card details have changed, or to pay another way, just reply to this e-mail.',
                  ),
                ]),
            facts,
          ],
        };
      }

      // R-DUN-3 e-mail 1: amount, next try, deadline, what is lost, one button.
      const o = d.outlook;
      const deadline = f.date(o.deadline);
      const blocks: Block[] = [declined];
      if (d.authenticateUrl) {
        blocks.push(
          p(APPROVE_WHY),
          p('Please approve it by ', { strong: deadline }, `. If it isn’t paid by then, ${loss(f, o, d.planName)}.`),
          { kind: 'button', label: APPROVE, url: d.authenticateUrl },
          dunningFacts(f, d, o, null),
          UPDATE_INSTEAD(d.updatePaymentUrl),
        );
      } else {
        blocks.push(
          p(
            d.hardDecline
              ? 'Your bank refused this card for good, so we will not try it again: only a new card will do.'
              : d.nextRetryOn
                ? `We will try again on ${f.date(d.nextRetryOn)}. If your card has expired or changed, updating it now avoids another declined payment.`
                : 'We will try again in a few days. If your card has expired or changed, updating it now avoids another declined payment.',
          ),
          p('To keep your membership, update your card by ', { strong: deadline }, `. If it isn’t paid by then, ${loss(f, o, d.planName)}.`),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
          dunningFacts(f, d, o, d.hardDecline ? null : (d.nextRetryOn ?? null)),
          p(PAY_ANOTHER_WAY),
        );
      }
      return {
        subject,
        preheader: `The payment of ${amount} for your membership did not go through. Please ${d.authenticateUrl ? 'approve it' : 'update your card'} by ${deadline}.`,
        heading,
        greeting: greet(d.memberName),
        audience: 'member',
        blocks,
      };
    },

    dunning_followup: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const deadline = f.date(d.outlook.deadline);
      const lost = loss(f, d.outlook, d.planName);
      const approve = d.authenticateUrl !== null;
      const act = approve ? 'approve the payment' : 'update your card';
      const Act = approve ? 'Approve the payment' : 'Update your card';
      const step = d.followUp <= 1 ? 1 : d.followUp === 2 ? 2 : 3;

      let subject: string;
      let heading: string;
      let opening: Block;
      let action: Block;
      if (step === 1) {
        subject = `${org}: your payment still didn’t go through`;
        heading = 'Your payment still didn’t go through';
        opening = d.hardDecline
          ? p('The payment of ', { strong: amount }, ` for your “${d.planName}” membership still hasn’t been made.`)
          : p(
              `We tried ${yourCard(f, d.card)} again for your “${d.planName}” membership, and the payment of `,
              { strong: amount },
              ` still didn’t go through.${approve ? '' : ' It happens: often the card has expired, been replaced or reached its limit.'}`,
            );
        action = p(`It only takes a minute: please ${act} by `, { strong: deadline }, `. If it isn’t paid by then, ${lost}.`);
      } else if (step === 2) {
        subject = d.outlook.finalAction === 'leave_unpaid' ? `${org}: your payment of ${amount} is still due` : `${org}: don’t lose your “${d.planName}” membership`;
        heading = d.outlook.finalAction === 'leave_unpaid' ? 'Your invoice is still unpaid' : 'Don’t lose your membership';
        opening = p('We still haven’t been able to collect ', { strong: amount }, ` for your “${d.planName}” membership, and time is running out.`);
        action = p('If it isn’t paid by ', { strong: deadline }, `, ${lost}. ${Act} now and everything stays as it is.`);
      } else {
        subject = `${org}: ${amount} due by ${deadline}`;
        heading = 'Your payment is still due';
        opening = p('Your payment of ', { strong: amount }, ` for your “${d.planName}” membership is still outstanding.`);
        action = p(`${Act} by `, { strong: deadline }, `. After that, ${lost}.`);
      }

      const blocks: Block[] = [opening];
      if (approve) blocks.push(p(APPROVE_WHY));
      if (d.hardDecline) blocks.push(p(`Your bank refused ${yourCard(f, d.card)} for good, so we can’t charge it again: only a new card will do.`));
      else if (d.nextRetryOn && !approve) blocks.push(p(`We will try again on ${f.date(d.nextRetryOn)}.`));
      blocks.push(
        action,
        d.authenticateUrl ? { kind: 'button', label: APPROVE, url: d.authenticateUrl } : { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
        dunningFacts(f, d, d.outlook, d.hardDecline || approve ? null : d.nextRetryOn),
      );
      if (approve) blocks.push(UPDATE_INSTEAD(d.updatePaymentUrl));
      else if (step < 3) blocks.push(p(PAY_ANOTHER_WAY));
      return {
        subject,
        preheader: `${amount} for your membership is still unpaid. Please ${act} by ${deadline}.`,
        heading,
        greeting: greet(d.memberName),
        audience: 'member',
        blocks,
      };
    },

    dunning_final_warning: (d, f) => {
      const org = f.branding.organisationName;
      const o = d.outlook;
      const amount = f.money(d.amount);
      const deadline = f.date(o.deadline);
      const stop = f.date(o.stopDate ?? o.deadline);
      const lastTry = `We will try ${yourCard(f, d.card)} one last time on ${deadline}. If that payment fails, `;
      let subject: string;
      let outcome: Block;
      switch (o.finalAction) {
        case 'cancel':
          subject = `${org}: final warning – your membership ends on ${stop}`;
          outcome = p(lastTry, `your “${d.planName}” membership ends on `, { strong: stop }, '.');
          break;
        case 'downgrade':
          subject = `${org}: final warning – your membership changes on ${stop}`;
          outcome = o.fallback
            ? p(
                lastTry,
                `your membership moves from “${d.planName}” to “${o.fallback.planName}” at ${pricePer(f, o.fallback.amount, o.fallback.cadence)} from `,
                { strong: stop },
                `, and you lose what “${d.planName}” includes.`,
              )
            : p(lastTry, `your membership moves from “${d.planName}” to a lesser plan from `, { strong: stop }, '.');
          break;
        case 'leave_unpaid':
          subject = `${org}: final warning – last payment attempt on ${deadline}`;
          outcome = p(
            'The last automatic attempt will be on ',
            { strong: deadline },
            '. After that, we will not try your card again: we will follow up with you directly, and the invoice will remain due.',
          );
          break;
      }
      return {
        subject,
        preheader: `Final warning: ${amount} is still unpaid. Please update your card by ${deadline}.`,
        heading: 'Final warning',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p('This is our final warning: we still haven’t been able to collect ', { strong: amount }, ` for your “${d.planName}” membership.`),
          outcome,
          p('Updating your card takes a minute, and we try the payment again right away.'),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
          dunningFacts(f, d, o, null),
          p('Already sorted, or would you rather pay another way? Just reply to this e-mail.'),
        ],
      };
    },

    dunning_cancelled: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      return {
        subject: `${org}: your membership has been cancelled`,
        preheader: `Invoice ${d.invoiceId} could not be paid. Your membership ends on ${last}.`,
        heading: 'Your membership has been cancelled',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            'Despite several attempts, we could not collect ',
            { strong: f.money(d.amount) },
            ` for invoice ${d.invoiceId}. Your “${d.planName}” membership has therefore been cancelled: it ends on `,
            { strong: last },
            '.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Membership', d.planName],
              ['Invoice', d.invoiceId],
              ['Unpaid amount', f.money(d.amount)],
              ['Membership ends on', last],
            ],
          },
          p('We would be glad to have you back. To rejoin, or if you think this is a mistake, just reply to this e-mail and we will sort it out with you.'),
        ],
      };
    },

    dunning_downgraded: (d, f) => {
      const org = f.branding.organisationName;
      const from = f.date(d.effectiveDate);
      const price = pricePer(f, d.fallbackAmount, d.cadence);
      return {
        subject: `${org}: your membership has moved to “${d.fallbackPlanName}”`,
        preheader: `Invoice ${d.invoiceId} could not be paid. From ${from}, your membership is “${d.fallbackPlanName}” at ${price}.`,
        heading: 'Your membership has changed',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            'Despite several attempts, we could not collect ',
            { strong: f.money(d.amount) },
            ` for invoice ${d.invoiceId}. So that you stay a member, your membership moves from “${d.planName}” to “${d.fallbackPlanName}” from `,
            { strong: from },
            '.',
          ),
          p(`Your new price is ${price}.`),
          {
            kind: 'facts',
            rows: [
              ['Previous membership', d.planName],
              ['New membership', d.fallbackPlanName],
              ['From', from],
              ['New price', price],
              ['Unpaid invoice', `${d.invoiceId} (${f.money(d.amount)})`],
            ],
          },
          p(`To go back to “${d.planName}”, just reply to this e-mail and we will be glad to help.`),
        ],
      };
    },

    dunning_unpaid_org: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const rows: Array<[string, string]> = [
        ['Member', d.memberName],
        ['E-mail', d.memberEmail],
        ['Membership', d.planName],
        ['Invoice', d.invoiceId],
        ['Amount', amount],
        ['Automatic tries', String(d.tries)],
      ];
      if (d.lastDeclineCode) rows.push(['Last decline', d.lastDeclineCode]);
      return {
        subject: `${org}: invoice ${d.invoiceId} from ${d.memberName} remains unpaid`,
        preheader: `${amount} from ${d.memberName} could not be collected after ${d.tries} ${d.tries === 1 ? 'try' : 'tries'}.`,
        heading: 'An invoice remains unpaid',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}): the payment of ${amount} for their “${d.planName}” membership failed after ${d.tries} automatic ${d.tries === 1 ? 'try' : 'tries'}. The invoice is now marked uncollectible and the membership stays past due; nothing more will be tried automatically.`,
          ),
          p('You may want to contact the member, or record a payment made another way (cheque, transfer, cash).'),
          { kind: 'facts', rows },
          { kind: 'button', label: 'View the membership', url: d.membershipUrl },
        ],
      };
    },

    payment_receipt: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const [methodLabel, methodPhrase] = RECEIPT_METHOD[d.method];
      const card = d.method === 'card' && d.card ? f.card(d.card.brand, d.card.last4) : null;
      const rows: Array<[string, string]> = [
        ['Invoice', d.invoiceId],
        ['Membership', d.planName],
        ['Period', period(f, d.periodStart, d.periodEnd)],
        ['Amount paid', amount],
        ['Paid on', f.date(d.paidOn)],
        ['Payment method', card ?? methodLabel],
      ];
      if (d.reference) rows.push(['Reference', d.reference]);
      return {
        subject: `${org}: receipt for your payment of ${amount}`,
        preheader: `We received your payment of ${amount}. Thank you!`,
        heading: 'Thank you for your payment',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`On ${f.date(d.paidOn)}, we received your payment of `, { strong: amount }, `${card ? ` with your ${card}` : methodPhrase} for your “${d.planName}” membership. Thank you!`),
          { kind: 'facts', rows },
          p('Please keep this e-mail as your receipt.'),
        ],
      };
    },

    card_expiring: (d, f) => {
      const org = f.branding.organisationName;
      const card = f.card(d.card.brand, d.card.last4);
      const expires = f.date(d.expiresOn);
      const rows: Array<[string, string]> = [
        ['Membership', d.planName],
        ['Card', card],
        ['Expires on', expires],
      ];
      if (d.nextChargeOn) rows.push(['Next payment', f.date(d.nextChargeOn)]);
      if (d.nextChargeOn && d.nextChargeAmount) rows.push(['Amount', f.money(d.nextChargeAmount)]);
      return {
        subject: d.today ? `${org}: your card expires today` : `${org}: your card expires on ${expires}`,
        preheader: d.today ? 'The card on file for your membership expires today. Please give us your new one.' : `The card on file for your membership expires on ${expires}. Please give us your new one.`,
        heading: d.today ? 'Your card expires today' : 'Your card expires soon',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`The ${card} on file for your “${d.planName}” membership expires `, { strong: d.today ? `today, ${expires}` : `on ${expires}` }, '.'),
          p(
            d.nextChargeOn
              ? `Your next payment${d.nextChargeAmount ? ` of ${f.money(d.nextChargeAmount)}` : ''} is scheduled for ${f.date(d.nextChargeOn)}. So that it goes through and your membership continues without interruption, please give us your new card before then.`
              : 'So that your membership continues without interruption, please give us your new card.',
          ),
          p('It takes a minute, and no login is needed.'),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
          { kind: 'facts', rows },
        ],
      };
    },

    card_request: (d, f) => {
      const org = f.branding.organisationName;
      const card = d.card ? f.card(d.card.brand, d.card.last4) : null;
      return {
        subject: card ? `${org}: please give us your new card` : `${org}: please give us a card for your membership`,
        preheader: card
          ? `Replace the ${card} on file for your membership in a minute, on a secure page.`
          : 'Add a card for your membership in a minute, on a secure page.',
        heading: card ? 'A new card for your membership' : 'A card for your membership',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            card
              ? `${org} asks you to replace the ${card} on file for your “${d.planName}” membership.`
              : `${org} asks you to give a card for your “${d.planName}” membership, so that its payments are made automatically.`,
          ),
          p('The card is entered on our payment provider’s secure page; it takes a minute, and no login is needed. Anything your membership owes is paid with it at once.'),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
        ],
      };
    },

    email_undeliverable_org: (d, f) => {
      const org = f.branding.organisationName;
      const about = { renewal: 'their renewal', notice: 'their renewal notice', dunning: 'a payment they owe' }[d.kind];
      const why = {
        bounced: 'their mail server refused it for good (a hard bounce)',
        complained: 'they marked an earlier e-mail as spam',
        suppressed: 'the address is on the sending service’s suppression list after an earlier hard bounce or complaint',
      }[d.reason];
      const rows: [string, string][] = [
        ['Member', d.memberName],
        ['E-mail', d.memberEmail],
        ['Membership', d.planName],
      ];
      if (d.subject) rows.push(['E-mail not delivered', d.subject]);
      if (d.detail) rows.push(['Reported', d.detail]);
      return {
        subject: `${org}: an e-mail about ${about} did not reach ${d.memberName}`,
        preheader: `${d.memberName} (${d.memberEmail}) did not get an e-mail about ${about}; please reach them another way.`,
        heading: 'An e-mail did not reach a member',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) did not receive an e-mail about ${about} for their “${d.planName}” membership: ${why}. No more e-mail goes to this address. Please reach them another way (by phone, in person), and correct their e-mail address in the console if it is wrong: mail then goes again.`,
          ),
          { kind: 'facts', rows },
          { kind: 'button', label: 'View the membership', url: d.membershipUrl },
        ],
      };
    },

    card_expiring_org: (d, f) => {
      const org = f.branding.organisationName;
      const card = f.card(d.card.brand, d.card.last4);
      const when = d.today ? 'today' : `on ${f.date(d.expiresOn)}`;
      return {
        subject: `${org}: ${d.memberName}’s card expires ${when}`,
        preheader: `${d.memberName}’s card on file expires ${when}; they have been asked for a new one.`,
        heading: 'A member’s card is expiring',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}): the ${card} on file for their “${d.planName}” membership expires ${when}. They have been asked by e-mail to give a new card; nothing is needed from you unless you want to follow up.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Member', d.memberName],
              ['E-mail', d.memberEmail],
              ['Membership', d.planName],
              ['Card', card],
              ['Expires on', f.date(d.expiresOn)],
            ],
          },
          { kind: 'button', label: 'View the membership', url: d.membershipUrl },
        ],
      };
    },

    invoice_reminder: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const due = f.date(d.dueDate);
      const first = d.reminder <= 1;
      const nth = ordinal(d.reminder);
      return {
        subject: first ? `${org}: reminder – invoice ${d.invoiceId} for ${amount}` : `${org}: ${nth} reminder – invoice ${d.invoiceId} for ${amount}`,
        preheader: `Invoice ${d.invoiceId} (${amount}, due ${due}) is still unpaid. You can pay it by card in a minute.`,
        heading: first ? 'A reminder about your invoice' : `${nth} reminder: your invoice is still unpaid`,
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            first ? `A quick reminder: invoice ${d.invoiceId} for ` : `This is our ${nth} reminder: invoice ${d.invoiceId} for `,
            { strong: amount },
            ` for your “${d.planName}” membership (due ${due}) is still unpaid.`,
          ),
          p('The simplest way is to pay by card with the button below: it takes a minute, and no login is needed.'),
          { kind: 'button', label: 'Pay by card', url: d.payUrl },
          {
            kind: 'facts',
            rows: [
              ['Invoice', d.invoiceId],
              ['Membership', d.planName],
              ['Period', period(f, d.periodStart, d.periodEnd)],
              ['Amount', amount],
              ['Due date', due],
            ],
          },
          p(
            'Would you rather pay another way? Just reply to this e-mail or write to ',
            { email: d.replyTo },
            `, mentioning invoice ${d.invoiceId}. If you have already paid, thank you, and please disregard this reminder.`,
          ),
        ],
      };
    },

    payment_failed_org: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: `${org}: an automatic payment from ${d.memberName} failed`,
        preheader: `${f.money(d.amount)} from ${d.memberName} was declined (${d.declineCode}).`,
        heading: 'An automatic payment failed',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}): the automatic payment of ${f.money(d.amount)} for their “${d.planName}” membership was declined${d.hardDecline ? ' for good; the card will not be tried again' : ''}. The member has been told.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Member', d.memberName],
              ['E-mail', d.memberEmail],
              ['Membership', d.planName],
              ['Invoice', d.invoiceId],
              ['Amount', f.money(d.amount)],
              ['Decline', d.declineCode],
            ],
          },
          { kind: 'button', label: 'View the membership', url: d.membershipUrl },
        ],
      };
    },

    dispute_opened_org: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: `${org}: ${d.memberName} disputed a payment with their bank`,
        preheader: `${f.money(d.amount)} is disputed (${d.reason}); answer it in your Stripe dashboard.`,
        heading: 'A payment is disputed',
        greeting: 'Hello,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) asked their bank to reverse the payment of ${f.money(d.amount)} for their “${d.planName}” membership. Stripe holds the amount until the bank decides; you can send evidence from your Stripe dashboard, where the dispute is ${d.disputeReference}.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Member', d.memberName],
              ['E-mail', d.memberEmail],
              ['Membership', d.planName],
              ['Invoice', d.invoiceId],
              ['Amount', f.money(d.amount)],
              ['Reason', d.reason],
              ['Dispute', d.disputeReference],
            ],
          },
          { kind: 'button', label: 'View the membership', url: d.membershipUrl },
        ],
      };
    },

    membership_voided: (d, f) => {
      const org = f.branding.organisationName;
      const rows: Array<[string, string]> = [
        ['Membership', d.planName],
        ['Voided invoice', d.invoiceId],
        ['Invoice amount', f.money(d.amount)],
      ];
      if (d.refunded) rows.push(['Refund', f.money(d.refunded)]);
      return {
        subject: `${org}: your membership and invoice ${d.invoiceId} were voided`,
        preheader: d.refunded
          ? `Your membership was voided and ${f.money(d.refunded)} is being refunded.`
          : 'Your membership and its invoice were voided.',
        heading: 'Your membership was voided',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            `Your “${d.planName}” membership was voided, along with invoice ${d.invoiceId} for ${f.money(d.amount)}. `,
            { strong: 'The membership ends immediately' },
            '; the invoice stays on your account, marked as void.',
          ),
          p(
            d.refunded
              ? `A refund of ${f.money(d.refunded)} has been issued to your payment method. Depending on your bank, it may take a few business days to appear.`
              : 'No refund was issued for this invoice. If you believe you are owed money, just reply to this e-mail.',
          ),
          { kind: 'facts', rows },
        ],
      };
    },
  },
};
