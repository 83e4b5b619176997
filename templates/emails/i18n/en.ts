import type { Money } from '../../../shared/domain/schema.js';
import { paragraph as p, type Block, type Catalog, type Formatters } from '../content.js';

/** English copy (Canadian spelling: "cancelled", "e-mail"). */

const cadenceAmount = (f: Formatters, amount: Money, cadence: 'monthly' | 'upfront') =>
  cadence === 'monthly' ? `${f.money(amount)} per month` : f.money(amount);

const greet = (name: string) => `Hello ${name},`;

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
      const period = d.periodEnd ? `${f.date(d.periodStart)} to ${f.date(d.periodEnd)}` : `from ${f.date(d.periodStart)}`;
      return {
        subject: `${org}: your invoice for ${amount} is due ${due}`,
        preheader: `Invoice ${d.invoiceId}: ${amount}, due ${due}.`,
        heading: d.renewal ? 'Your renewal invoice' : 'Your monthly invoice',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            d.renewal
              ? `Here is the invoice for the renewal of your “${d.planName}” membership.`
              : `Here is the invoice for this month’s instalment of your “${d.planName}” membership.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Invoice', d.invoiceId],
              ['Membership', d.planName],
              ['Period', period],
              ['Amount', amount],
              ['Due date', due],
            ],
          },
          p(
            'To pay, simply reply to this e-mail or write to ',
            { email: d.replyTo },
            ` and we will tell you which payment methods we accept. Please mention invoice number ${d.invoiceId}.`,
          ),
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
      return {
        subject: `${org}: we could not charge your card for your membership`,
        preheader: `The payment of ${f.money(d.amount)} for your membership did not go through.`,
        heading: 'Your payment did not go through',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(`We tried to charge `, { strong: f.money(d.amount) }, ` to your ${card} for your “${d.planName}” membership, and the payment was declined.`),
          ...(d.authenticateUrl
            ? [
                p('Your bank asks you to approve this payment yourself (a security check such as 3-D Secure). It takes a minute: nothing is charged until you approve it with your bank.'),
                { kind: 'button' as const, label: 'Approve the payment', url: d.authenticateUrl },
              ]
            : [
                p(
                  d.hardDecline
                    ? 'Your bank refused this card for good, so we will not try it again. To keep your membership, please give us another card: just reply to this e-mail.'
                    : 'We will try again in a few days. If your card details have changed, or to pay another way, just reply to this e-mail.',
                ),
              ]),
          {
            kind: 'facts',
            rows: [
              ['Membership', d.planName],
              ['Invoice', d.invoiceId],
              ['Amount', f.money(d.amount)],
              ['Card', card],
            ],
          },
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
