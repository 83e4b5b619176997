import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalDate } from '../../shared/domain/calendar.js';
import type { Locale, Money } from '../../shared/domain/schema.js';
import { renderEmail } from '../../templates/emails/render.js';
import type { Branding, DunningOutlook, EmailContext, RenderedEmail, TemplateData, TemplateId } from '../../templates/emails/types.js';
import { brandColors, contrastRatio, formatDate, formatMoney } from '../../templates/format.js';

const LOCALES: Locale[] = ['fr-CA', 'en'];

const branding: Branding = {
  organisationName: 'Club de natation de Laval',
  senderName: 'Sophie Gagnon',
  replyTo: 'membres@natation-laval.example',
};
const ctx = (locale: Locale, overrides: Partial<Branding> = {}): EmailContext => ({ locale, branding: { ...branding, ...overrides } });

const cad = (amount: number): Money => ({ amount, currency: 'CAD' });
const CANCEL_URL = 'https://relance.example/l/cancel-token?k=1&m=2';
const RENEW_URL = 'https://relance.example/l/renew-token?k=1&m=2';
const AUTHENTICATE_URL = 'https://relance.example/l/authenticate-token?k=1&m=2';
const CONSOLE_URL = 'https://relance.example/console/memberships/m-1?tab=history&x=1';
const PAY_REPLY_TO = 'facturation@natation-laval.example';
const UPDATE_URL = 'https://relance.example/l/update-payment-token?k=1&m=2';
const PAY_URL = 'https://relance.example/l/pay-token?k=1&m=2';
const MANAGE_URL = 'https://relance.example/l/manage-token?k=1&m=2';
const ANSWER_URL = 'https://relance.example/l/notice-token?k=1&m=2';
const NOTICE_URL = 'https://relance.example/console/notices/n-1?tab=offer&x=1';

/** The dunning outlooks of R-DUN-6: the run's deadline (last try) and what happens after it. */
const CANCEL: DunningOutlook = { finalAction: 'cancel', deadline: '2027-04-14', stopDate: '2027-04-30', fallback: null };
const DOWNGRADE: DunningOutlook = {
  finalAction: 'downgrade',
  deadline: '2027-04-14',
  stopDate: '2027-04-15',
  fallback: { planName: 'Accès libre', amount: cad(1000), cadence: 'monthly' },
};
const LEAVE_UNPAID: DunningOutlook = { finalAction: 'leave_unpaid', deadline: '2027-04-14', stopDate: null, fallback: null };

/** The data of one template and what must be visible in both parts of the mail. */
interface Case<K extends TemplateId> {
  data: TemplateData[K];
  dates: LocalDate[];
  money: Money[];
  /** The one call to action, if the mail has one. */
  url: string | null;
  /** Other values that must appear as given (escaped in HTML). */
  values: string[];
}

const cases: { [K in TemplateId]: Case<K> } = {
  reminder_automatic: {
    data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', termEnd: '2027-03-14', renewalDate: '2027-03-15', newTermEnd: '2028-03-14', amount: cad(18500), cadence: 'upfront', cardOnFile: { brand: 'visa', last4: '4242' }, cancelUrl: CANCEL_URL },
    dates: ['2027-03-14', '2027-03-15', '2028-03-14'],
    money: [cad(18500)],
    url: CANCEL_URL,
    values: ['Léa Tremblay', 'Annuel adulte', '4242', 'Visa'],
  },
  reminder_confirmation: {
    data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', termEnd: '2027-03-14', newTermEnd: '2028-03-14', amount: cad(18500), cadence: 'upfront', renewUrl: RENEW_URL },
    dates: ['2027-03-14', '2028-03-14'],
    money: [cad(18500)],
    url: RENEW_URL,
    values: ['Léa Tremblay', 'Annuel adulte'],
  },
  renewal_confirmation: {
    data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', newTermStart: '2027-03-15', newTermEnd: '2028-03-14', charged: { amount: cad(18500), brand: 'mastercard', last4: '5100' }, cadence: 'upfront' },
    dates: ['2027-03-15', '2028-03-14'],
    money: [cad(18500)],
    url: null,
    values: ['Léa Tremblay', 'Annuel adulte', 'Mastercard', '5100'],
  },
  expired: {
    data: { memberName: 'François Côté', planName: 'Annuel adulte', termEnd: '2027-01-31' },
    dates: ['2027-01-31'],
    money: [],
    url: null,
    values: ['François Côté', 'Annuel adulte'],
  },
  invoice: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0042', amount: cad(2500), dueDate: '2027-04-10', periodStart: '2027-04-01', periodEnd: '2027-04-30', renewal: false, replyTo: PAY_REPLY_TO },
    dates: ['2027-04-10', '2027-04-01', '2027-04-30'],
    money: [cad(2500)],
    url: null,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0042', PAY_REPLY_TO],
  },
  renewal_notice: {
    data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', termEnd: '2027-03-14', next: { planName: 'Annuel famille', start: '2027-03-15', end: '2028-03-14', amount: cad(29500) }, answerUrl: ANSWER_URL, reminder: 0 },
    dates: ['2027-03-14', '2027-03-15', '2028-03-14'],
    money: [cad(29500)],
    url: ANSWER_URL,
    values: ['Léa Tremblay', 'Annuel adulte', 'Annuel famille'],
  },
  notice_change_received: {
    data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', message: 'Could I pay in two instalments?' },
    dates: [],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Annuel adulte', 'Could I pay in two instalments?'],
  },
  notice_change_requested_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Annuel adulte', termEnd: '2027-03-14', message: 'Le tarif étudiant, c’est possible?', noticeUrl: NOTICE_URL },
    dates: ['2027-03-14'],
    money: [],
    url: NOTICE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Annuel adulte', 'Le tarif étudiant, c’est possible?'],
  },
  notice_refused: {
    data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', lastDay: '2027-03-14' },
    dates: ['2027-03-14'],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Annuel adulte'],
  },
  cancellation_by_admin: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', terminationDate: '2027-06-30', lastBillingDate: '2027-05-01' },
    dates: ['2027-06-30', '2027-05-01'],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Mensuel'],
  },
  cancellation_confirmed_member: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', terminationDate: '2027-05-31' },
    dates: ['2027-05-31'],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Mensuel'],
  },
  cancellation_notice_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', terminationDate: '2027-05-31', reason: 'Moving to Gatineau', membershipUrl: CONSOLE_URL },
    dates: ['2027-05-31'],
    money: [],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'Moving to Gatineau'],
  },
  cancellation_request_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', requestedOn: '2027-05-12', reason: 'Too expensive for us now', membershipUrl: CONSOLE_URL },
    dates: ['2027-05-12'],
    money: [],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'Too expensive for us now'],
  },
  cancellation_request_received: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel' },
    dates: [],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Mensuel'],
  },
  cancellation_request_accepted: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', finalBillingDate: '2027-06-01', terminationDate: '2027-06-30' },
    dates: ['2027-06-01', '2027-06-30'],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Mensuel'],
  },
  cancellation_request_declined: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', reason: 'Engagement minimal de 12 mois' },
    dates: [],
    money: [],
    url: null,
    values: ['Léa Tremblay', 'Mensuel', 'Engagement minimal de 12 mois'],
  },
  payment_failed: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '3184' }, hardDecline: false, authenticateUrl: AUTHENTICATE_URL },
    dates: [],
    money: [cad(2500)],
    url: AUTHENTICATE_URL,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0050', '3184'],
  },
  payment_failed_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), declineCode: 'insufficient_funds', hardDecline: true, membershipUrl: CONSOLE_URL },
    dates: [],
    money: [cad(2500)],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'F-2027-0050', 'insufficient_funds'],
  },
  dispute_opened_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), reason: 'fraudulent', disputeReference: 'dp_1Qx7Lm2eZvKYlo2C', membershipUrl: CONSOLE_URL },
    dates: [],
    money: [cad(2500)],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'F-2027-0050', 'fraudulent', 'dp_1Qx7Lm2eZvKYlo2C'],
  },
  membership_voided: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0042', amount: cad(2500), refunded: cad(1000) },
    dates: [],
    money: [cad(2500), cad(1000)],
    url: null,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0042'],
  },
  dunning_followup: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), followUp: 1, card: { brand: 'visa', last4: '9995' }, hardDecline: false, declineCode: 'insufficient_funds', nextRetryOn: '2027-04-09', outlook: CANCEL, updatePaymentUrl: UPDATE_URL, authenticateUrl: null },
    dates: ['2027-04-09', '2027-04-14', '2027-04-30'],
    money: [cad(2500)],
    url: UPDATE_URL,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0050', '9995'],
  },
  dunning_final_warning: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9995' }, outlook: DOWNGRADE, updatePaymentUrl: UPDATE_URL },
    dates: ['2027-04-14', '2027-04-15'],
    money: [cad(2500), cad(1000)],
    url: UPDATE_URL,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0050', '9995', 'Accès libre'],
  },
  dunning_cancelled: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), terminationDate: '2027-04-30' },
    dates: ['2027-04-30'],
    money: [cad(2500)],
    url: null,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0050'],
  },
  dunning_downgraded: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), fallbackPlanName: 'Accès libre', fallbackAmount: cad(1000), cadence: 'monthly', effectiveDate: '2027-04-15' },
    dates: ['2027-04-15'],
    money: [cad(2500), cad(1000)],
    url: null,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0050', 'Accès libre'],
  },
  dunning_unpaid_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), tries: 4, lastDeclineCode: 'insufficient_funds', membershipUrl: CONSOLE_URL },
    dates: [],
    money: [cad(2500)],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'F-2027-0050', 'insufficient_funds'],
  },
  payment_receipt: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0050', amount: cad(2500), paidOn: '2027-04-04', method: 'cheque', card: null, reference: 'Chèque 1047', periodStart: '2027-04-01', periodEnd: '2027-04-30' },
    dates: ['2027-04-04', '2027-04-01', '2027-04-30'],
    money: [cad(2500)],
    url: null,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0050', 'Chèque 1047'],
  },
  card_expiring: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', card: { brand: 'visa', last4: '4242' }, expiresOn: '2027-04-30', today: false, nextChargeOn: '2027-05-01', nextChargeAmount: cad(2500), updatePaymentUrl: UPDATE_URL },
    dates: ['2027-04-30', '2027-05-01'],
    money: [cad(2500)],
    url: UPDATE_URL,
    values: ['Léa Tremblay', 'Mensuel', 'Visa', '4242'],
  },
  card_request: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', card: { brand: 'mastercard', last4: '4444' }, updatePaymentUrl: UPDATE_URL },
    dates: [],
    money: [],
    url: UPDATE_URL,
    values: ['Léa Tremblay', 'Mensuel', 'Mastercard', '4444'],
  },
  email_undeliverable_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', kind: 'dunning', subject: 'Paiement refusé', reason: 'bounced', detail: 'Permanent/General', membershipUrl: CONSOLE_URL },
    dates: [],
    money: [],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'Paiement refusé', 'Permanent/General'],
  },
  card_expiring_org: {
    data: { memberName: 'Émile Bérubé', memberEmail: 'emile@example.org', planName: 'Mensuel', card: { brand: 'amex', last4: '0005' }, expiresOn: '2027-04-30', today: false, membershipUrl: CONSOLE_URL },
    dates: ['2027-04-30'],
    money: [],
    url: CONSOLE_URL,
    values: ['Émile Bérubé', 'emile@example.org', 'Mensuel', 'American Express', '0005'],
  },
  invoice_reminder: {
    data: { memberName: 'Léa Tremblay', planName: 'Mensuel', invoiceId: 'F-2027-0042', amount: cad(2500), dueDate: '2027-04-10', periodStart: '2027-04-01', periodEnd: '2027-04-30', reminder: 1, payUrl: PAY_URL, replyTo: PAY_REPLY_TO },
    dates: ['2027-04-10', '2027-04-01', '2027-04-30'],
    money: [cad(2500)],
    url: PAY_URL,
    values: ['Léa Tremblay', 'Mensuel', 'F-2027-0042', PAY_REPLY_TO],
  },
};

const TEMPLATE_IDS = Object.keys(cases) as TemplateId[];

function render<K extends TemplateId>(id: K, data: TemplateData[K], context: EmailContext): RenderedEmail {
  return renderEmail(id, data, context);
}

/** The HTML-escaped form of a value, written out here rather than with the code under test. */
function escaped(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The call-to-action buttons: the anchors styled as a block of colour. */
function buttons(html: string): Array<{ href: string; label: string }> {
  return [...html.matchAll(/<a href="([^"]*)"[^>]*style="display:inline-block;[^"]*"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ href: m[1]!, label: m[2]! }));
}

/** An `&` that does not start a character reference is a raw, unescaped ampersand. */
const RAW_AMPERSAND = /&(?![a-zA-Z][a-zA-Z0-9]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/;

describe('renderEmail: every template in both locales', () => {
  it('covers all thirty-one template ids of the contract', () => {
    expect(TEMPLATE_IDS).toHaveLength(31);
  });

  for (const id of TEMPLATE_IDS) {
    for (const locale of LOCALES) {
      it(`${id} (${locale}): subject, HTML and text carry the key data, the sender and the reply-to`, () => {
        const c = cases[id] as Case<typeof id>;
        const mail = render(id, c.data, ctx(locale));

        expect(mail.subject).toContain(branding.organisationName);
        expect(mail.subject).not.toMatch(/[\r\n]/);
        expect(mail.subject).not.toMatch(/[A-Z]{5,}|!!|\?\?/);
        for (const part of [mail.html, mail.text]) {
          for (const date of c.dates) expect(part).toContain(formatDate(date, locale));
          for (const money of c.money) expect(part).toContain(formatMoney(money, locale));
          expect(part).toContain(branding.senderName);
          expect(part).toContain(branding.replyTo);
        }
        for (const value of c.values) {
          expect(mail.html).toContain(escaped(value));
          expect(mail.text).toContain(value);
        }
        expect(mail.html).toMatch(new RegExp(`^<!DOCTYPE html>\\s*<html lang="${locale}"`));
        expect(mail.html).toContain('<meta name="color-scheme" content="light">');
        expect(mail.html).toContain('max-width:600px');
        expect(mail.html).not.toMatch(/<script|<link|<style|@import|<img/i);
        expect(mail.html).not.toMatch(RAW_AMPERSAND);

        const ctas = buttons(mail.html);
        if (c.url) {
          expect(ctas).toEqual([{ href: escaped(c.url), label: expect.any(String) }]);
          expect(mail.text.split('\n')).toContain(c.url);
        } else {
          expect(ctas).toEqual([]);
        }
      });
    }
  }

  it('hides a preheader at the top of the body', () => {
    const mail = render('expired', cases.expired.data, ctx('en'));
    const preheader = /<body[^>]*>\s*<div style="display:none;[^"]*">([^<&]+)/.exec(mail.html);
    expect(preheader?.[1]).toBe('Your membership ended on January 31, 2027. You can join again at any time.');
  });
});

describe('R-REN-3: automatic renewal reminder', () => {
  it('R-REN-3: the automatic reminder gives the renewal date and the cancel link as the button (fr-CA)', () => {
    const mail = render('reminder_automatic', cases.reminder_automatic.data, ctx('fr-CA'));
    expect(mail.subject).toBe('Club de natation de Laval\u00a0: votre abonnement sera renouvelé le 15 mars 2027');
    expect(mail.html).toContain('renouvelé automatiquement le <strong>15 mars 2027</strong>');
    expect(buttons(mail.html)).toEqual([{ href: escaped(CANCEL_URL), label: 'Annuler mon abonnement' }]);
    expect(mail.text).toContain('annuler avant le 15 mars 2027');
    expect(mail.text).toContain('se terminant le 14 mars 2028');
  });

  it('R-REN-3: the automatic reminder gives the renewal date and the cancel link as the button (en)', () => {
    const mail = render('reminder_automatic', cases.reminder_automatic.data, ctx('en'));
    expect(mail.subject).toBe('Club de natation de Laval: your membership renews on March 15, 2027');
    expect(buttons(mail.html)).toEqual([{ href: escaped(CANCEL_URL), label: 'Cancel my membership' }]);
    expect(mail.text).toContain('cancel before March 15, 2027');
    expect(mail.text).toContain('CA$185.00 will be charged to your Visa ending in 4242');
  });

  it('R-REN-3: with no card on file the reminder says an invoice will follow', () => {
    const data = { ...cases.reminder_automatic.data, cardOnFile: null };
    const fr = render('reminder_automatic', data, ctx('fr-CA'));
    const en = render('reminder_automatic', data, ctx('en'));
    expect(fr.text).toContain('une facture de 185,00\u00a0$ vous sera envoyée par courriel');
    expect(fr.text).not.toContain('se terminant par');
    expect(en.text).toContain('an invoice for CA$185.00 will follow by e-mail');
    expect(en.text).not.toContain('ending in');
  });

  it('R-REN-3: a monthly plan shows the price per month', () => {
    const data = { ...cases.reminder_automatic.data, amount: cad(2500), cadence: 'monthly' as const };
    expect(render('reminder_automatic', data, ctx('fr-CA')).text).toContain('Montant\u00a0: 25,00\u00a0$ par mois');
    expect(render('reminder_automatic', data, ctx('en')).text).toContain('Amount: CA$25.00 per month');
  });
});

describe('R-REN-4: confirmation reminder and renewal confirmation', () => {
  it('R-REN-4: the reminder offers « Renouveler mon abonnement » and says when it expires otherwise', () => {
    const fr = render('reminder_confirmation', cases.reminder_confirmation.data, ctx('fr-CA'));
    expect(buttons(fr.html)).toEqual([{ href: escaped(RENEW_URL), label: 'Renouveler mon abonnement' }]);
    expect(fr.text).toContain('Sans renouvellement, votre abonnement expirera le 14 mars 2027.');
    expect(fr.text).toContain(`Renouveler mon abonnement\u00a0:\n${RENEW_URL}\n`);

    const en = render('reminder_confirmation', cases.reminder_confirmation.data, ctx('en'));
    expect(buttons(en.html)).toEqual([{ href: escaped(RENEW_URL), label: 'Renew my membership' }]);
    expect(en.text).toContain('your membership will expire on March 14, 2027.');
  });

  it('R-REN-3, R-REN-4: the renewal confirmation gives the new term, the expiry date and the charge', () => {
    const en = render('renewal_confirmation', cases.renewal_confirmation.data, ctx('en'));
    expect(en.subject).toBe('Club de natation de Laval: your membership is renewed until March 14, 2028');
    expect(en.text).toContain('New term: March 15, 2027 to March 14, 2028');
    expect(en.text).toContain('We charged CA$185.00 to your Mastercard ending in 5100.');
    const fr = render('renewal_confirmation', { ...cases.renewal_confirmation.data, charged: null, cadence: 'monthly' }, ctx('fr-CA'));
    expect(fr.text).toContain('Nouvelle période\u00a0: du 15 mars 2027 au 14 mars 2028');
    expect(fr.text).not.toContain('Montant payé');
  });

  it('R-REN-2: the expired mail gives the end date and invites to join again through the reply-to', () => {
    const fr = render('expired', cases.expired.data, ctx('fr-CA'));
    expect(fr.text).toContain('a pris fin le 31 janvier 2027');
    expect(fr.html).toContain(`<a href="mailto:${branding.replyTo}"`);
    expect(render('expired', cases.expired.data, ctx('en')).text).toContain('You are welcome to join again at any time');
  });
});

describe('invoice', () => {
  it('R-REN-3: the invoice gives the amount, the period, the due date and how to pay by replying', () => {
    const en = render('invoice', cases.invoice.data, ctx('en'));
    expect(en.subject).toBe('Club de natation de Laval: your invoice for CA$25.00 is due April 10, 2027');
    expect(en.text).toContain('Period: April 1, 2027 to April 30, 2027');
    expect(en.text).toContain('Due date: April 10, 2027');
    expect(en.html).toContain(`<a href="mailto:${PAY_REPLY_TO}"`);
    expect(en.text).toContain(`To pay, simply reply to this e-mail or write to ${PAY_REPLY_TO}`);

    const fr = render('invoice', { ...cases.invoice.data, periodEnd: null, renewal: true }, ctx('fr-CA'));
    expect(fr.text).toContain('Période\u00a0: à partir du 1er avril 2027');
    expect(fr.html).toContain('Votre facture de renouvellement');
  });
});

describe('cancellation and voiding notices', () => {
  it('R-CAN-4: the admin cancellation gives the last day of access and the last billing date', () => {
    const fr = render('cancellation_by_admin', cases.cancellation_by_admin.data, ctx('fr-CA'));
    expect(fr.text).toContain('Vous y aurez accès jusqu’au 30 juin 2027 inclusivement.');
    expect(fr.text).toContain('Une dernière facturation aura lieu le 1er mai 2027');
    const en = render('cancellation_by_admin', { ...cases.cancellation_by_admin.data, lastBillingDate: null }, ctx('en'));
    expect(en.text).toContain('You keep access until June 30, 2027 (inclusive).');
    expect(en.text).toContain('You will not be asked for any further payment.');
    expect(en.text).not.toContain('Last billing date');
  });

  it('R-CAN-5: the immediate cancellation confirms the last day of access and no further charge', () => {
    const en = render('cancellation_confirmed_member', cases.cancellation_confirmed_member.data, ctx('en'));
    expect(en.text).toContain('You keep access until May 31, 2027 (inclusive), and you will not be charged again.');
  });

  it('R-CAN-5, R-CAN-8: the accepted request gives the final billing date and the termination date', () => {
    const fr = render('cancellation_request_accepted', cases.cancellation_request_accepted.data, ctx('fr-CA'));
    expect(fr.text).toContain('Dernière facturation\u00a0: 1er juin 2027');
    expect(fr.text).toContain('Dernier jour d’accès\u00a0: 30 juin 2027');
  });

  it('R-CAN-5: the declined request quotes the reason, escaped, keeping its line breaks', () => {
    const data = { ...cases.cancellation_request_declined.data, reason: 'Contrat <12 mois>\nvoir & signer' };
    const fr = render('cancellation_request_declined', data, ctx('fr-CA'));
    expect(fr.html).toContain('<strong>Motif</strong><br>Contrat &lt;12 mois&gt;<br>voir &amp; signer');
    expect(fr.text).toContain('Motif\u00a0:\n> Contrat <12 mois>\n> voir & signer');
    const none = render('cancellation_request_declined', { ...data, reason: null }, ctx('en'));
    expect(none.text).not.toContain('Reason');
    expect(none.text).toContain('Your membership continues as usual.');
  });

  it('R-CAN-5: the request acknowledgement says staff will review it', () => {
    expect(render('cancellation_request_received', cases.cancellation_request_received.data, ctx('en')).text).toContain('A member of our team will review it');
  });

  it('R-CAN-8, R-DUN-5: the payment-failure notice says whether the card will be tried again', () => {
    const soft = render('payment_failed', { ...cases.payment_failed.data, authenticateUrl: null }, ctx('en'));
    const hard = render('payment_failed', { ...cases.payment_failed.data, authenticateUrl: null, hardDecline: true }, ctx('en'));
    expect(soft.text).toContain('We will try again');
    expect(hard.text).not.toContain('We will try again');
    expect(hard.text).toContain('another card');
    const fr = render('payment_failed', { ...cases.payment_failed.data, authenticateUrl: null, hardDecline: true }, ctx('fr-CA'));
    expect(fr.text).toContain('autre carte');
  });

  it('R-PAY-3: a payment the bank wants approved gives the member one button to approve it, and no retry promise', () => {
    for (const locale of LOCALES) {
      const mail = render('payment_failed', cases.payment_failed.data, ctx(locale));
      expect(buttons(mail.html)).toEqual([{ href: escaped(AUTHENTICATE_URL), label: locale === 'en' ? 'Approve the payment' : 'Approuver le paiement' }]);
      expect(mail.text).toContain(AUTHENTICATE_URL);
      expect(mail.text).not.toMatch(/We will try again|Nous réessaierons/);
    }
  });

  it('R-CAN-6: the voiding notice states the voided invoice and the refund, or that there is none', () => {
    const en = render('membership_voided', cases.membership_voided.data, ctx('en'));
    expect(en.text).toContain('along with invoice F-2027-0042 for CA$25.00');
    expect(en.text).toContain('A refund of CA$10.00 has been issued');
    const fr = render('membership_voided', { ...cases.membership_voided.data, refunded: null }, ctx('fr-CA'));
    expect(fr.text).toContain('Aucun remboursement n’a été émis');
    expect(fr.text).not.toContain('Remboursement\u00a0:');
  });

  it('R-CAN-7: notices to the organisation address staff, name the member and link to the membership', () => {
    for (const id of ['cancellation_notice_org', 'cancellation_request_org'] as const) {
      for (const locale of LOCALES) {
        const mail = render(id, cases[id].data, ctx(locale));
        expect(mail.subject).toContain('Émile Bérubé');
        expect(mail.text.split('\n')[0]).toBe(locale === 'fr-CA' ? 'Bonjour,' : 'Hello,');
        expect(mail.text).toContain('Émile Bérubé (emile@example.org)');
        expect(buttons(mail.html)).toHaveLength(1);
        expect(buttons(mail.html)[0]!.href).toBe(escaped(CONSOLE_URL));
        expect(mail.text).toContain(locale === 'fr-CA' ? 'Avis automatique envoyé au nom de Sophie Gagnon' : 'Automatic notice sent on behalf of Sophie Gagnon');
      }
    }
  });
});

/** The labels of the one call to action, per locale. */
const UPDATE_CARD: Record<Locale, string> = { en: 'Update my card', 'fr-CA': 'Mettre à jour ma carte' };
const APPROVE: Record<Locale, string> = { en: 'Approve the payment', 'fr-CA': 'Approuver le paiement' };
const PAY_BY_CARD: Record<Locale, string> = { en: 'Pay by card', 'fr-CA': 'Payer par carte' };

/** The first paragraph after the greeting in the text part: the opening line of the mail. */
const opening = (mail: RenderedEmail) => mail.text.split('\n\n')[1];

const firstMail: TemplateData['payment_failed'] = {
  ...cases.payment_failed.data,
  authenticateUrl: null,
  nextRetryOn: '2027-04-04',
  outlook: CANCEL,
  updatePaymentUrl: UPDATE_URL,
};

describe('R-DUN-3: e-mail 1 of the dunning series (payment_failed with an outlook)', () => {
  for (const locale of LOCALES) {
    it(`R-DUN-3: states the amount, the next try, the deadline, the exact end date and has one "update my card" button (${locale})`, () => {
      const mail = render('payment_failed', firstMail, ctx(locale));
      for (const part of [mail.html, mail.text]) {
        expect(part).toContain(formatMoney(cad(2500), locale));
        for (const date of ['2027-04-04', '2027-04-14', '2027-04-30']) expect(part).toContain(formatDate(date, locale));
      }
      expect(buttons(mail.html)).toEqual([{ href: escaped(UPDATE_URL), label: UPDATE_CARD[locale] }]);
      expect(mail.text.split('\n')).toContain(UPDATE_URL);
    });
  }

  it('R-DUN-3: says what the member loses for each final action', () => {
    const en = (outlook: DunningOutlook) => render('payment_failed', { ...firstMail, outlook }, ctx('en')).text;
    const fr = (outlook: DunningOutlook) => render('payment_failed', { ...firstMail, outlook }, ctx('fr-CA')).text;
    expect(en(CANCEL)).toContain('update your card by April 14, 2027. If it isn’t paid by then, your “Mensuel” membership will end on April 30, 2027.');
    expect(fr(CANCEL)).toContain('mettez à jour votre carte d’ici le 14 avril 2027. Si le paiement n’est pas fait d’ici là, votre abonnement «\u00a0Mensuel\u00a0» prendra fin le 30 avril 2027.');
    expect(en(DOWNGRADE)).toContain('your membership will move from “Mensuel” to “Accès libre” at CA$10.00 per month from April 15, 2027');
    expect(fr(DOWNGRADE)).toContain('votre abonnement passera de «\u00a0Mensuel\u00a0» à «\u00a0Accès libre\u00a0» au tarif de 10,00\u00a0$ par mois à compter du 15 avril 2027');
    expect(en(LEAVE_UNPAID)).toContain('the invoice will remain due and we will contact you about it');
    expect(fr(LEAVE_UNPAID)).toContain('la facture restera à payer et nous communiquerons avec vous');
  });

  it('R-DUN-3, R-DUN-5: after a hard decline, says the card will not be tried again and gives no next try', () => {
    const data = { ...firstMail, hardDecline: true, nextRetryOn: null };
    const en = render('payment_failed', data, ctx('en'));
    expect(en.text).toContain('Your bank refused this card for good, so we will not try it again: only a new card will do.');
    expect(en.text).not.toMatch(/We will try again|Next try/);
    expect(buttons(en.html)).toEqual([{ href: escaped(UPDATE_URL), label: 'Update my card' }]);
    const fr = render('payment_failed', data, ctx('fr-CA'));
    expect(fr.text).toContain('seule une nouvelle carte permettra de régler le paiement');
    expect(fr.text).not.toMatch(/Nous réessaierons|Prochain essai/);
  });

  it('R-DUN-3, R-PAY-3: when the bank asks for approval, the one button approves; another card is a text link, or a reply', () => {
    for (const locale of LOCALES) {
      const mail = render('payment_failed', { ...firstMail, authenticateUrl: AUTHENTICATE_URL }, ctx(locale));
      expect(buttons(mail.html)).toEqual([{ href: escaped(AUTHENTICATE_URL), label: APPROVE[locale] }]);
      expect(mail.text).toContain(`${UPDATE_CARD[locale]}:\n${UPDATE_URL}`);
      expect(mail.text).not.toMatch(/We will try again|Nous réessaierons/);
      expect(mail.text).toContain(formatDate('2027-04-14', locale));
      expect(mail.text).toContain(locale === 'en' ? 'You can also reply to this e-mail' : 'Vous pouvez aussi répondre à ce courriel');
    }
  });

  it('R-DUN-3: a mail queued before dunning existed (no outlook) keeps the former text and has no button', () => {
    const mail = render('payment_failed', { ...cases.payment_failed.data, authenticateUrl: null }, ctx('en'));
    expect(mail.text).toContain('We will try again in a few days.');
    expect(mail.text).not.toContain('Deadline');
    expect(buttons(mail.html)).toEqual([]);
  });
});

describe('R-DUN-3: dunning follow-ups', () => {
  const followUp = (n: number, extra: Partial<TemplateData['dunning_followup']> = {}): TemplateData['dunning_followup'] => ({
    ...cases.dunning_followup.data,
    followUp: n,
    ...extra,
  });

  for (const locale of LOCALES) {
    it(`R-DUN-3: follow-ups 1, 2 and 3 each have their own subject, heading and opening; 3 and later share the short text (${locale})`, () => {
      const mails = [1, 2, 3, 4].map((n) => render('dunning_followup', followUp(n), ctx(locale)));
      const [one, two, three, four] = mails as [RenderedEmail, RenderedEmail, RenderedEmail, RenderedEmail];
      expect(new Set([one.subject, two.subject, three.subject]).size).toBe(3);
      expect(new Set([one, two, three].map(opening)).size).toBe(3);
      expect(new Set([one, two, three].map((m) => /<h1[^>]*>([^<]*)<\/h1>/.exec(m.html)?.[1])).size).toBe(3);
      expect(four.text).toBe(three.text);
      for (const mail of mails) {
        expect(mail.text).toContain(formatMoney(cad(2500), locale));
        expect(mail.text).toContain(formatDate('2027-04-14', locale));
        expect(mail.text).toContain(formatDate('2027-04-30', locale));
        expect(buttons(mail.html)).toEqual([{ href: escaped(UPDATE_URL), label: UPDATE_CARD[locale] }]);
      }
    });
  }

  it('R-DUN-3: follow-up 1 is friendly, 2 speaks of what is lost, 3 is short', () => {
    const en = [1, 2, 3].map((n) => render('dunning_followup', followUp(n), ctx('en')));
    expect(en[0]!.text).toContain('We tried your Visa ending in 9995 again');
    expect(en[0]!.text).toContain('It only takes a minute');
    expect(en[1]!.subject).toBe('Club de natation de Laval: don’t lose your “Mensuel” membership');
    expect(en[1]!.text).toContain('If it isn’t paid by April 14, 2027, your “Mensuel” membership will end on April 30, 2027.');
    expect(en[2]!.text).toContain('Update your card by April 14, 2027. After that, your “Mensuel” membership will end on April 30, 2027.');
    expect(en[2]!.text.length).toBeLessThan(en[0]!.text.length);

    const fr = [1, 2, 3].map((n) => render('dunning_followup', followUp(n), ctx('fr-CA')));
    expect(fr[0]!.text).toContain('Nous avons tenté de nouveau de porter 25,00\u00a0$ à votre carte Visa se terminant par 9995');
    expect(fr[1]!.subject).toBe('Club de natation de Laval\u00a0: ne perdez pas votre abonnement «\u00a0Mensuel\u00a0»');
    expect(fr[2]!.text).toContain('Mettez à jour votre carte d’ici le 14 avril 2027. Ensuite, votre abonnement «\u00a0Mensuel\u00a0» prendra fin le 30 avril 2027.');
  });

  it('R-DUN-3: the next try is given when there is one', () => {
    expect(render('dunning_followup', followUp(1), ctx('en')).text).toContain('We will try again on April 9, 2027.');
    expect(render('dunning_followup', followUp(1), ctx('fr-CA')).text).toContain('Nous réessaierons le 9 avril 2027.');
    expect(render('dunning_followup', followUp(2, { nextRetryOn: null }), ctx('en')).text).not.toContain('We will try again');
  });

  it('R-DUN-5: a hard-declined card: only a new card will do, and no retry is promised', () => {
    for (const n of [1, 2, 3]) {
      const en = render('dunning_followup', followUp(n, { hardDecline: true, nextRetryOn: null, declineCode: 'lost_card' }), ctx('en'));
      expect(en.text).toContain('Your bank refused your Visa ending in 9995 for good, so we can’t charge it again: only a new card will do.');
      expect(en.text).not.toMatch(/We will try again|We tried your/);
      const fr = render('dunning_followup', followUp(n, { hardDecline: true, nextRetryOn: null }), ctx('fr-CA'));
      expect(fr.text).toContain('a refusé votre carte Visa se terminant par 9995 de façon définitive');
      expect(fr.text).toContain('seule une nouvelle carte permettra de régler le paiement');
      expect(fr.text).not.toContain('Nous réessaierons');
    }
  });

  it('R-PAY-3: a follow-up the bank wants approved has the approve button only, the card update as a text link, and mentions replying', () => {
    for (const locale of LOCALES) {
      for (const n of [1, 2, 3]) {
        const mail = render('dunning_followup', followUp(n, { authenticateUrl: AUTHENTICATE_URL }), ctx(locale));
        expect(buttons(mail.html)).toEqual([{ href: escaped(AUTHENTICATE_URL), label: APPROVE[locale] }]);
        expect(mail.text).toContain(UPDATE_URL);
        expect(mail.text).toContain(locale === 'en' ? 'reply to this e-mail' : 'répondre à ce courriel');
      }
    }
  });

  it('R-DUN-3: a downgrade outlook names the plan the membership moves to and its price', () => {
    const en = render('dunning_followup', followUp(2, { outlook: DOWNGRADE }), ctx('en'));
    expect(en.text).toContain('Moves to: Accès libre (CA$10.00 per month)');
    expect(en.text).toContain('From: April 15, 2027');
  });
});

describe('R-DUN-3: the final warning', () => {
  const warning = (outlook: DunningOutlook): TemplateData['dunning_final_warning'] => ({ ...cases.dunning_final_warning.data, outlook });

  it('R-DUN-3: cancel: states the last try and the exact day the membership ends (en)', () => {
    const mail = render('dunning_final_warning', warning(CANCEL), ctx('en'));
    expect(mail.subject).toBe('Club de natation de Laval: final warning – your membership ends on April 30, 2027');
    expect(mail.html).toContain('>Final warning</h1>');
    expect(mail.text).toContain('We will try your Visa ending in 9995 one last time on April 14, 2027. If that payment fails, your “Mensuel” membership ends on April 30, 2027.');
    expect(mail.text).toContain('Amount: CA$25.00');
    expect(mail.html).toContain('ends on <strong>April 30, 2027</strong>');
    expect(buttons(mail.html)).toEqual([{ href: escaped(UPDATE_URL), label: 'Update my card' }]);
  });

  it('R-DUN-3: cancel: « dernier avertissement » with the exact end date (fr-CA)', () => {
    const mail = render('dunning_final_warning', warning(CANCEL), ctx('fr-CA'));
    expect(mail.subject).toBe('Club de natation de Laval\u00a0: dernier avertissement – votre abonnement prendra fin le 30 avril 2027');
    expect(mail.html).toContain('>Dernier avertissement</h1>');
    expect(mail.text).toContain('le 14 avril 2027. Si ce paiement échoue, votre abonnement «\u00a0Mensuel\u00a0» prendra fin le 30 avril 2027.');
    expect(mail.text).toContain('Montant\u00a0: 25,00\u00a0$');
    expect(buttons(mail.html)).toEqual([{ href: escaped(UPDATE_URL), label: 'Mettre à jour ma carte' }]);
  });

  it('R-DUN-3: downgrade: states the day the membership changes and to what', () => {
    const en = render('dunning_final_warning', warning(DOWNGRADE), ctx('en'));
    expect(en.subject).toBe('Club de natation de Laval: final warning – your membership changes on April 15, 2027');
    expect(en.text).toContain('your membership moves from “Mensuel” to “Accès libre” at CA$10.00 per month from April 15, 2027');
    const fr = render('dunning_final_warning', warning(DOWNGRADE), ctx('fr-CA'));
    expect(fr.text).toContain('à «\u00a0Accès libre\u00a0» au tarif de 10,00\u00a0$ par mois à compter du 15 avril 2027');
  });

  it('R-DUN-3: leave_unpaid: the last automatic try is on the deadline, then the organisation follows up', () => {
    const en = render('dunning_final_warning', warning(LEAVE_UNPAID), ctx('en'));
    expect(en.text).toContain('The last automatic attempt will be on April 14, 2027. After that, we will not try your card again: we will follow up with you directly');
    const fr = render('dunning_final_warning', warning(LEAVE_UNPAID), ctx('fr-CA'));
    expect(fr.text).toContain('La dernière tentative automatique aura lieu le 14 avril 2027. Ensuite, nous ne débiterons plus votre carte\u00a0: nous ferons le suivi avec vous directement');
    for (const mail of [en, fr]) expect(buttons(mail.html)).toHaveLength(1);
  });
});

describe('R-DUN-6: after the last failed retry', () => {
  it('R-DUN-6: cancel: the member is told the end date and how to come back', () => {
    const en = render('dunning_cancelled', cases.dunning_cancelled.data, ctx('en'));
    expect(en.text).toContain('Your “Mensuel” membership has therefore been cancelled: it ends on April 30, 2027.');
    expect(en.text).toContain('To rejoin, or if you think this is a mistake, just reply to this e-mail');
    const fr = render('dunning_cancelled', cases.dunning_cancelled.data, ctx('fr-CA'));
    expect(fr.text).toContain('il prend fin le 30 avril 2027');
    expect(fr.text).toContain('Pour vous réinscrire');
  });

  it('R-DUN-6: downgrade: the member is told the new plan, its price per month or per term, and from when', () => {
    const en = render('dunning_downgraded', cases.dunning_downgraded.data, ctx('en'));
    expect(en.text).toContain('your membership moves from “Mensuel” to “Accès libre” from April 15, 2027.');
    expect(en.text).toContain('Your new price is CA$10.00 per month.');
    const fr = render('dunning_downgraded', { ...cases.dunning_downgraded.data, cadence: 'upfront' }, ctx('fr-CA'));
    expect(fr.text).toContain('Votre nouveau tarif est de 10,00\u00a0$ par période.');
    expect(fr.text).toContain('À compter du\u00a0: 15 avril 2027');
  });

  it('R-DUN-6: leave_unpaid: staff are told the tries and the last decline, with a button to the membership', () => {
    for (const locale of LOCALES) {
      const mail = render('dunning_unpaid_org', cases.dunning_unpaid_org.data, ctx(locale));
      expect(mail.text.split('\n')[0]).toBe(locale === 'fr-CA' ? 'Bonjour,' : 'Hello,');
      expect(mail.text).toContain(locale === 'fr-CA' ? 'après 4 tentatives automatiques' : 'after 4 automatic tries');
      expect(buttons(mail.html)).toEqual([{ href: escaped(CONSOLE_URL), label: expect.any(String) }]);
    }
    const one = render('dunning_unpaid_org', { ...cases.dunning_unpaid_org.data, tries: 1, lastDeclineCode: null }, ctx('en'));
    expect(one.text).toContain('after 1 automatic try.');
    expect(one.text).not.toContain('Last decline');
  });
});

describe('R-DUN-4: payment receipt', () => {
  const methods: Array<[TemplateData['payment_receipt']['method'], string, string, string, string]> = [
    ['cheque', 'Payment method: Cheque', ' by cheque for', 'Mode de paiement\u00a0: Chèque', ' par chèque pour'],
    ['transfer', 'Payment method: Bank transfer', ' by bank transfer for', 'Mode de paiement\u00a0: Virement bancaire', ' par virement bancaire pour'],
    ['cash', 'Payment method: Cash', ' in cash for', 'Mode de paiement\u00a0: Argent comptant', ' en argent comptant pour'],
    ['other', 'Payment method: Other', 'CA$25.00 for', 'Mode de paiement\u00a0: Autre', '25,00\u00a0$ pour'],
  ];
  for (const [method, enRow, enPhrase, frRow, frPhrase] of methods) {
    it(`R-DUN-4: gives the method in words (${method}), the amount, the date, the reference and the period, without a button`, () => {
      const data = { ...cases.payment_receipt.data, method };
      const en = render('payment_receipt', data, ctx('en'));
      expect(en.text).toContain(enRow);
      expect(en.text).toContain(enPhrase);
      expect(en.text).toContain('Paid on: April 4, 2027');
      expect(en.text).toContain('Reference: Chèque 1047');
      expect(en.text).toContain('Period: April 1, 2027 to April 30, 2027');
      expect(buttons(en.html)).toEqual([]);
      const fr = render('payment_receipt', data, ctx('fr-CA'));
      expect(fr.text).toContain(frRow);
      expect(fr.text).toContain(frPhrase);
      expect(fr.text).toContain('Date du paiement\u00a0: 4 avril 2027');
      expect(buttons(fr.html)).toEqual([]);
    });
  }

  it('R-DUN-4: a card payment names the card, and no reference row appears without a reference', () => {
    const data = { ...cases.payment_receipt.data, method: 'card' as const, card: { brand: 'visa', last4: '4242' }, reference: null };
    const en = render('payment_receipt', data, ctx('en'));
    expect(en.text).toContain('we received your payment of CA$25.00 with your Visa ending in 4242');
    expect(en.text).toContain('Payment method: Visa ending in 4242');
    expect(en.text).not.toContain('Reference');
    const fr = render('payment_receipt', data, ctx('fr-CA'));
    expect(fr.text).toContain('Mode de paiement\u00a0: Carte Visa se terminant par 4242');
  });
});

describe('R-DUN-7: card expiry', () => {
  it('R-DUN-7: before the day, gives the expiry date, the next charge and one "update my card" button', () => {
    for (const locale of LOCALES) {
      const mail = render('card_expiring', cases.card_expiring.data, ctx(locale));
      expect(mail.subject).toContain(formatDate('2027-04-30', locale));
      expect(mail.text).toContain(
        locale === 'en'
          ? 'Your next payment of CA$25.00 is scheduled for May 1, 2027.'
          : 'Votre prochain paiement de 25,00\u00a0$ est prévu le 1er mai 2027.',
      );
      expect(buttons(mail.html)).toEqual([{ href: escaped(UPDATE_URL), label: UPDATE_CARD[locale] }]);
    }
  });

  it('R-DUN-7: on the expiry day, says the card expires today; without a next charge, none is mentioned', () => {
    const data = { ...cases.card_expiring.data, today: true, nextChargeOn: null, nextChargeAmount: null };
    const en = render('card_expiring', data, ctx('en'));
    expect(en.subject).toBe('Club de natation de Laval: your card expires today');
    expect(en.html).toContain('expires <strong>today, April 30, 2027</strong>');
    expect(en.text).not.toContain('Next payment');
    const fr = render('card_expiring', data, ctx('fr-CA'));
    expect(fr.subject).toBe('Club de natation de Laval\u00a0: votre carte expire aujourd’hui');
    expect(fr.text).not.toContain('Prochain paiement');
  });

  it('R-DUN-7: the organisation is told whose card expires, with a button to the membership', () => {
    for (const locale of LOCALES) {
      const mail = render('card_expiring_org', { ...cases.card_expiring_org.data, today: true }, ctx(locale));
      expect(mail.subject).toContain('Émile Bérubé');
      expect(mail.subject).toContain(locale === 'en' ? 'expires today' : 'expire aujourd’hui');
      expect(mail.text).toContain(locale === 'en' ? 'Automatic notice sent on behalf of' : 'Avis automatique envoyé au nom de');
      expect(buttons(mail.html)).toEqual([{ href: escaped(CONSOLE_URL), label: expect.any(String) }]);
    }
  });
});

describe('R-DUN-9: invoices without a card on file', () => {
  it('R-DUN-9: an invoice with a pay link has one "pay by card" button and still offers to pay another way', () => {
    for (const locale of LOCALES) {
      const mail = render('invoice', { ...cases.invoice.data, payUrl: PAY_URL }, ctx(locale));
      expect(buttons(mail.html)).toEqual([{ href: escaped(PAY_URL), label: PAY_BY_CARD[locale] }]);
      expect(mail.html).toContain(`<a href="mailto:${PAY_REPLY_TO}"`);
      expect(mail.text).toContain(locale === 'en' ? 'To pay another way' : 'Pour payer autrement');
    }
  });

  it('R-DUN-9: a re-sent invoice says so; a first one does not', () => {
    expect(render('invoice', { ...cases.invoice.data, resent: true }, ctx('en')).text).toContain('Here is your invoice again for this month’s instalment');
    expect(render('invoice', { ...cases.invoice.data, resent: true, renewal: true }, ctx('fr-CA')).text).toContain('Voici de nouveau votre facture pour le renouvellement');
    expect(render('invoice', cases.invoice.data, ctx('en')).text).not.toContain('again');
    expect(render('invoice', cases.invoice.data, ctx('fr-CA')).text).not.toContain('de nouveau');
  });

  it('R-DUN-9: reminders are numbered, carry the pay-by-card button and offer to reply to pay another way', () => {
    const first = render('invoice_reminder', cases.invoice_reminder.data, ctx('en'));
    const second = render('invoice_reminder', { ...cases.invoice_reminder.data, reminder: 2 }, ctx('en'));
    expect(first.subject).toBe('Club de natation de Laval: reminder – invoice F-2027-0042 for CA$25.00');
    expect(second.subject).toBe('Club de natation de Laval: 2nd reminder – invoice F-2027-0042 for CA$25.00');
    expect(second.text).toContain('This is our 2nd reminder: invoice F-2027-0042 for CA$25.00');
    expect(render('invoice_reminder', { ...cases.invoice_reminder.data, reminder: 11 }, ctx('en')).subject).toContain('11th reminder');
    const fr = render('invoice_reminder', { ...cases.invoice_reminder.data, reminder: 3 }, ctx('fr-CA'));
    expect(fr.subject).toBe('Club de natation de Laval\u00a0: 3e rappel – facture F-2027-0042 de 25,00\u00a0$');
    for (const [locale, mail] of [['en', second], ['fr-CA', fr]] as const) {
      expect(buttons(mail.html)).toEqual([{ href: escaped(PAY_URL), label: PAY_BY_CARD[locale] }]);
      expect(mail.html).toContain(`<a href="mailto:${PAY_REPLY_TO}"`);
      expect(mail.text).toContain(formatDate('2027-04-10', locale));
    }
  });
});

describe('R-NOT: renewal notices', () => {
  const notice = (extra: Partial<TemplateData['renewal_notice']> = {}): TemplateData['renewal_notice'] => ({ ...cases.renewal_notice.data, ...extra });
  const ANSWER: Record<Locale, string> = { en: 'Answer the notice', 'fr-CA': 'Répondre à l’avis' };

  it('R-NOT-1, R-NOT-8: a reminder of the notice has its own subject, naming the plan and saying it is a reminder, and opens with it', () => {
    const en0 = render('renewal_notice', notice(), ctx('en'));
    const en1 = render('renewal_notice', notice({ reminder: 1 }), ctx('en'));
    expect(en0.subject).toBe('Club de natation de Laval: renewal notice for your “Annuel adulte” membership');
    expect(en1.subject).toBe('Club de natation de Laval: reminder – renewal notice for your “Annuel adulte” membership');
    expect(opening(en1)).toMatch(/^Reminder: your renewal notice is still awaiting your answer\. Your “Annuel adulte” membership ends on March 14, 2027\./);
    expect(opening(en0)).toMatch(/^Your “Annuel adulte” membership ends on March 14, 2027\./);
    expect(en1.html).toContain('>Reminder: your renewal notice</h1>');

    const fr0 = render('renewal_notice', notice(), ctx('fr-CA'));
    const fr1 = render('renewal_notice', notice({ reminder: 2 }), ctx('fr-CA'));
    expect(fr0.subject).toBe('Club de natation de Laval\u00a0: avis de renouvellement de votre abonnement «\u00a0Annuel adulte\u00a0»');
    expect(fr1.subject).toBe('Club de natation de Laval\u00a0: rappel – avis de renouvellement de votre abonnement «\u00a0Annuel adulte\u00a0»');
    expect(opening(fr1)).toMatch(/^Rappel\u00a0: votre avis de renouvellement attend toujours votre réponse\. Votre abonnement «\u00a0Annuel adulte\u00a0» prend fin le 14 mars 2027\./);

    for (const [zero, reminder] of [[en0, en1], [fr0, fr1]] as const) {
      expect(reminder.subject).not.toBe(zero.subject);
      expect(reminder.subject).toMatch(/reminder|rappel/i);
      expect(zero.subject).not.toMatch(/reminder|rappel/i);
      expect(opening(zero)).not.toMatch(/reminder|rappel/i);
    }
  });

  for (const locale of LOCALES) {
    it(`R-NOT-1: the notice gives the offered term, one button to answer it, says an invoice follows acceptance, and offers no refusal (${locale})`, () => {
      const mail = render('renewal_notice', notice(), ctx(locale));
      expect(buttons(mail.html)).toEqual([{ href: escaped(ANSWER_URL), label: ANSWER[locale] }]);
      if (locale === 'en') {
        expect(mail.text).toContain('Current term ends on: March 14, 2027');
        expect(mail.text).toContain('Renewal plan: Annuel famille');
        expect(mail.text).toContain('New term: March 15, 2027 to March 14, 2028');
        expect(mail.text).toContain('Amount: CA$295.00');
        expect(mail.text).toContain('Once you accept, we will e-mail you an invoice for CA$295.00. Your new term starts when it is paid and your current term has ended.');
        expect(mail.text).toContain('If you do not wish to renew, simply reply to this e-mail');
      } else {
        expect(mail.text).toContain('Fin de la période actuelle\u00a0: 14 mars 2027');
        expect(mail.text).toContain('Abonnement proposé\u00a0: Annuel famille');
        expect(mail.text).toContain('Nouvelle période\u00a0: du 15 mars 2027 au 14 mars 2028');
        expect(mail.text).toContain('Montant\u00a0: 295,00\u00a0$');
        expect(mail.text).toContain('nous vous enverrons par courriel une facture de 295,00\u00a0$');
        expect(mail.text).toContain('Si vous ne souhaitez pas renouveler, répondez simplement à ce courriel');
      }
      expect(`${mail.html}\n${mail.text}`).not.toMatch(/refuse|decline|refus/i);
    });
  }

  it('R-NOT-2: the member is told their request for changes was received, their message quoted, and that nothing changes until contacted', () => {
    const en = render('notice_change_received', cases.notice_change_received.data, ctx('en'));
    expect(en.text).toContain('We received your request for changes to the renewal of your “Annuel adulte” membership.');
    expect(en.text).toContain('Your message:\n> Could I pay in two instalments?');
    expect(en.text).toContain('A member of our team will contact you about it. Until then, nothing changes on your membership.');
    expect(buttons(en.html)).toEqual([]);
    const fr = render('notice_change_received', cases.notice_change_received.data, ctx('fr-CA'));
    expect(fr.text).toContain('Votre message\u00a0:\n> Could I pay in two instalments?');
    expect(fr.text).toContain('communiquera avec vous');
    expect(fr.text).toContain('D’ici là, rien ne change à votre abonnement.');
  });

  for (const locale of LOCALES) {
    it(`R-NOT-2: staff are told who asks for changes, with the member's message escaped in HTML and one button to the notice (${locale})`, () => {
      const message = '<script>alert("x")</script> & plus\nLigne 2';
      const mail = render('notice_change_requested_org', { ...cases.notice_change_requested_org.data, message }, ctx(locale));
      expect(mail.html).not.toMatch(/<script/i);
      expect(mail.html).not.toMatch(RAW_AMPERSAND);
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; plus<br>Ligne 2');
      expect(mail.text).toContain('> <script>alert("x")</script> & plus\n> Ligne 2');
      expect(mail.subject).toContain('Émile Bérubé');
      expect(mail.text.split('\n')[0]).toBe(locale === 'fr-CA' ? 'Bonjour,' : 'Hello,');
      expect(mail.text).toContain('Émile Bérubé (emile@example.org)');
      expect(mail.text).toContain(formatDate('2027-03-14', locale));
      expect(buttons(mail.html)).toEqual([{ href: escaped(NOTICE_URL), label: locale === 'fr-CA' ? 'Ouvrir l’avis' : 'Open the notice' }]);
      expect(mail.text).toContain(locale === 'fr-CA' ? 'Avis automatique envoyé au nom de Sophie Gagnon' : 'Automatic notice sent on behalf of Sophie Gagnon');

      const member = render('notice_change_received', { ...cases.notice_change_received.data, message }, ctx(locale));
      expect(member.html).not.toMatch(/<script/i);
      expect(member.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; plus<br>Ligne 2');
    });
  }

  it('R-NOT-5: the refusal gives the last day of membership, inclusive, says nothing is charged and invites to join again', () => {
    const en = render('notice_refused', cases.notice_refused.data, ctx('en'));
    expect(en.subject).toBe('Club de natation de Laval: your “Annuel adulte” membership will not be renewed');
    expect(en.text).toContain('It ends on March 14, 2027 (inclusive).');
    expect(en.html).toContain('It ends on <strong>March 14, 2027</strong> (inclusive).');
    expect(en.text).toContain('You will not be charged');
    expect(en.text).toContain('You are welcome to join again later');
    expect(buttons(en.html)).toEqual([]);
    const fr = render('notice_refused', cases.notice_refused.data, ctx('fr-CA'));
    expect(fr.subject).toBe('Club de natation de Laval\u00a0: votre abonnement «\u00a0Annuel adulte\u00a0» ne sera pas renouvelé');
    expect(fr.text).toContain('Il prend fin le 14 mars 2027 inclusivement.');
    expect(fr.text).toContain('Aucun montant ne vous sera facturé');
    expect(fr.text).toContain('Dernier jour de l’abonnement\u00a0: 14 mars 2027');
    expect(buttons(fr.html)).toEqual([]);
  });
});

describe('R-LNK-4: the "manage my membership" link in the footer', () => {
  const MEMBER_IDS = TEMPLATE_IDS.filter((id) => !id.endsWith('_org'));
  const STAFF_IDS = TEMPLATE_IDS.filter((id) => id.endsWith('_org'));
  const LABEL: Record<Locale, string> = { en: 'Manage my membership', 'fr-CA': 'Gérer mon abonnement' };
  const WHY: Record<Locale, string> = { en: 'You are receiving this e-mail about your membership', 'fr-CA': 'Vous recevez ce courriel au sujet de votre abonnement' };
  const withManage = (locale: Locale): EmailContext => ({ ...ctx(locale), manageUrl: MANAGE_URL });
  const manageAnchor = (locale: Locale) => new RegExp(`<a href="${escaped(MANAGE_URL).replace(/[.?*+^$()[\]{}|\\/]/g, '\\$&')}"[^>]*>${LABEL[locale]}</a>`);

  it('R-LNK-4: the staff notices are exactly the eight *_org templates', () => {
    expect(STAFF_IDS.sort()).toEqual([
      'cancellation_notice_org',
      'cancellation_request_org',
      'card_expiring_org',
      'dispute_opened_org',
      'dunning_unpaid_org',
      'email_undeliverable_org',
      'notice_change_requested_org',
      'payment_failed_org',
    ]);
  });

  for (const locale of LOCALES) {
    it(`R-LNK-4: every member e-mail ends with the link, in HTML and text, as a plain link after the footer text (${locale})`, () => {
      for (const id of MEMBER_IDS) {
        const data = cases[id].data as TemplateData[typeof id];
        const mail = render(id, data, withManage(locale));
        expect(mail.html, id).toMatch(manageAnchor(locale));
        expect(mail.html.search(manageAnchor(locale)), id).toBeGreaterThan(mail.html.indexOf(WHY[locale]));
        expect(mail.text.endsWith(`\n${LABEL[locale]}${locale === 'fr-CA' ? '\u00a0:' : ':'}\n${MANAGE_URL}\n`), id).toBe(true);
        // A link, not a second call to action: the buttons are the same as without it.
        expect(buttons(mail.html), id).toEqual(buttons(render(id, data, ctx(locale)).html));
      }
    });

    it(`R-LNK-4: without a manage URL, and in staff notices even if one is given, there is no such link (${locale})`, () => {
      for (const id of MEMBER_IDS) {
        const mail = render(id, cases[id].data as TemplateData[typeof id], ctx(locale));
        expect(`${mail.html}\n${mail.text}`, id).not.toContain(LABEL[locale]);
      }
      for (const id of STAFF_IDS) {
        const mail = render(id, cases[id].data as TemplateData[typeof id], withManage(locale));
        expect(`${mail.html}\n${mail.text}`, id).not.toContain(LABEL[locale]);
        expect(`${mail.html}\n${mail.text}`, id).not.toContain('manage-token');
      }
    });
  }

  it('R-LNK-4: refuses a manage link that is not an absolute http(s) URL', () => {
    expect(() => render('expired', cases.expired.data, { ...ctx('en'), manageUrl: 'javascript:alert(1)' })).toThrow(RangeError);
  });
});

describe('R-DUN-3: escaping in the dunning, receipt, card and reminder templates', () => {
  const NEW_IDS = [
    'payment_failed',
    'dunning_followup',
    'dunning_final_warning',
    'dunning_cancelled',
    'dunning_downgraded',
    'dunning_unpaid_org',
    'payment_receipt',
    'card_expiring',
    'card_expiring_org',
    'invoice_reminder',
    'invoice',
  ] as const;
  const name = '<script>alert("x")</script> & Co';

  for (const locale of LOCALES) {
    it(`R-DUN-3: a member name with <script> is escaped in the HTML and kept as typed in the text (${locale})`, () => {
      for (const id of NEW_IDS) {
        const base = id === 'payment_failed' ? firstMail : id === 'invoice' ? { ...cases.invoice.data, payUrl: PAY_URL, resent: true } : cases[id].data;
        const mail = render(id, { ...base, memberName: name } as TemplateData[typeof id], { ...ctx(locale), manageUrl: MANAGE_URL });
        expect(mail.html, id).not.toMatch(/<script/i);
        expect(mail.html, id).not.toMatch(RAW_AMPERSAND);
        expect(mail.html, id).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
        expect(mail.text, id).toContain(name);
      }
    });
  }
});

describe('R-DUN-8: sender and reply-to', () => {
  it('R-DUN-8: member mail is signed by the named sender, then the organisation, and replies reach the reply-to', () => {
    const fr = render('expired', cases.expired.data, ctx('fr-CA'));
    expect(fr.text).toContain('Au plaisir,\nSophie Gagnon\nClub de natation de Laval\n');
    expect(fr.text).toContain(`votre message parviendra à ${branding.replyTo}.`);
    const en = render('expired', cases.expired.data, ctx('en'));
    expect(en.html).toContain('Kind regards,<br>Sophie Gagnon<br>Club de natation de Laval');
    expect(en.text).toContain(`Just reply to this e-mail. Your message will reach ${branding.replyTo}.`);
  });

  it('R-DUN-8: no template ever suggests not replying', () => {
    for (const id of TEMPLATE_IDS) {
      for (const locale of LOCALES) {
        const mail = render(id, cases[id].data as TemplateData[typeof id], ctx(locale));
        expect(`${mail.html}\n${mail.text}`).not.toMatch(/no-?reply|do not reply|ne pas répondre|ne répondez pas/i);
      }
    }
  });
});

describe('escaping and header safety', () => {
  const hostile: Partial<Branding> = { organisationName: 'Les <script>alert(1)</script> & "Amis"', senderName: 'Sophie <b>Gagnon</b>' };
  const hostileUrl = 'https://relance.example/l/t?a=1&b="><script>alert(2)</script>';
  const hostileData: { [K in TemplateId]: TemplateData[K] } = {
    ...(Object.fromEntries(TEMPLATE_IDS.map((id) => [id, cases[id].data])) as { [K in TemplateId]: TemplateData[K] }),
    reminder_automatic: { ...cases.reminder_automatic.data, memberName: '<img src=x onerror=alert(1)>', planName: 'Or & <b>Argent</b>', cancelUrl: hostileUrl },
    reminder_confirmation: { ...cases.reminder_confirmation.data, memberName: '<img src=x onerror=alert(1)>', renewUrl: hostileUrl },
    cancellation_notice_org: { ...cases.cancellation_notice_org.data, memberEmail: '"><script>x</script>@example.org', membershipUrl: hostileUrl },
    cancellation_request_declined: { ...cases.cancellation_request_declined.data, reason: '</td></tr></table><script>alert(3)</script>' },
  };

  for (const locale of LOCALES) {
    it(`hostile names, reasons and URLs never appear raw in the HTML of any template (${locale})`, () => {
      for (const id of TEMPLATE_IDS) {
        const mail = render(id, hostileData[id] as TemplateData[typeof id], ctx(locale, hostile));
        expect(mail.html, id).not.toMatch(/<script|<img|<b>|<\/table><script/i);
        expect(mail.html, id).not.toMatch(RAW_AMPERSAND);
        expect(mail.html, id).toContain('Les &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Amis&quot;');
        // Every attribute value is quoted and closed where it should be: no stray quote breaks out of an href.
        for (const m of mail.html.matchAll(/href="([^"]*)"/g)) expect(m[1], id).not.toMatch(/[<>]/);
      }
      const reminder = render('reminder_automatic', hostileData.reminder_automatic, ctx(locale, hostile));
      expect(reminder.html).toContain(`href="https://relance.example/l/t?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`);
      expect(reminder.html).toContain('Or &amp; &lt;b&gt;Argent&lt;/b&gt;');
      expect(reminder.text).toContain('Or & <b>Argent</b>');
    });
  }

  it('strips CR and LF from subjects', () => {
    const mail = render(
      'cancellation_notice_org',
      { ...cases.cancellation_notice_org.data, memberName: 'Léa\r\nBcc: victim@example.org' },
      ctx('en', { organisationName: 'Club\nde natation' }),
    );
    expect(mail.subject).toBe('Club de natation: Léa Bcc: victim@example.org cancelled their membership');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses a link that is not an absolute http(s) URL', () => {
    expect(() => render('reminder_confirmation', { ...cases.reminder_confirmation.data, renewUrl: 'javascript:alert(1)' }, ctx('en'))).toThrow(RangeError);
    expect(() => render('reminder_confirmation', { ...cases.reminder_confirmation.data, renewUrl: '/l/token' }, ctx('en'))).toThrow(RangeError);
  });
});

describe('branding', () => {
  it('shows the logo with the organisation as alt text only when a logo URL is given', () => {
    const withLogo = render('expired', cases.expired.data, ctx('fr-CA', { logoUrl: 'https://cdn.example/logo.png?w=160&h=40' }));
    expect(withLogo.html).toMatch(/<img src="https:\/\/cdn\.example\/logo\.png\?w=160&amp;h=40" alt="Club de natation de Laval"/);
    expect(render('expired', cases.expired.data, ctx('fr-CA')).html).not.toContain('<img');
  });

  it('uses the primary colour for the button with readable text, and ignores anything that is not a hex colour', () => {
    const dark = render('reminder_confirmation', cases.reminder_confirmation.data, ctx('en', { primaryColor: '#0B5C8A' }));
    expect(dark.html).toContain('bgcolor="#0b5c8a"');
    expect(dark.html).toMatch(/display:inline-block;[^"]*color:#ffffff;/);

    const light = render('reminder_confirmation', cases.reminder_confirmation.data, ctx('en', { primaryColor: '#ffd700' }));
    expect(light.html).toContain('bgcolor="#ffd700"');
    expect(light.html).toMatch(/display:inline-block;[^"]*color:#000000;/);

    const bogus = render('reminder_confirmation', cases.reminder_confirmation.data, ctx('en', { primaryColor: 'red;background:url(https://evil.example/x.png)' }));
    expect(bogus.html).not.toContain('evil.example');
    expect(bogus.html).toContain('bgcolor="#1f5a96"');
  });

  it('keeps button text and links at WCAG AA contrast for any primary colour', () => {
    for (const color of ['#1f5a96', '#ffd700', '#ffffff', '#000000', '#ff0000', '#00ff00', '#7f7f7f', '#abc']) {
      const c = brandColors(color);
      expect(contrastRatio(c.primary, c.onPrimary), color).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(c.link, '#ffffff'), color).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('formatDate', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  for (const [tz, offsetMinutes] of [
    ['Pacific/Kiritimati', -840],
    ['Pacific/Pago_Pago', 660],
  ] as const) {
    it(`formats 2028-02-29 and 2027-12-31 to the right day in both locales with the process in ${tz}`, async () => {
      process.env.TZ = tz;
      // The zone really applies to this process: local dates are 14 h ahead of / 11 h behind UTC.
      expect(new Date(Date.UTC(2028, 1, 29)).getTimezoneOffset()).toBe(offsetMinutes);
      expect(new Intl.DateTimeFormat('en').resolvedOptions().timeZone).toBe(tz);
      // Fresh modules, so nothing formatted or cached under another zone can hide a shift.
      vi.resetModules();
      const { formatDate } = await import('../../templates/format.js');
      const { renderEmail: render } = await import('../../templates/emails/render.js');

      expect(formatDate('2028-02-29', 'fr-CA')).toBe('29 février 2028');
      expect(formatDate('2028-02-29', 'en')).toBe('February 29, 2028');
      expect(formatDate('2027-12-31', 'fr-CA')).toBe('31 décembre 2027');
      expect(formatDate('2027-12-31', 'en')).toBe('December 31, 2027');

      const mail = render('expired', { ...cases.expired.data, termEnd: '2028-02-29' }, ctx('fr-CA'));
      expect(mail.text).toContain('a pris fin le 29 février 2028');
    });
  }

  it('writes the first of the month as « 1er » in fr-CA only', () => {
    expect(formatDate('2027-01-01', 'fr-CA')).toBe('1er janvier 2027');
    expect(formatDate('2027-01-11', 'fr-CA')).toBe('11 janvier 2027');
    expect(formatDate('2027-01-01', 'en')).toBe('January 1, 2027');
  });

  it('refuses a date that is not on the calendar', () => {
    expect(() => formatDate('2027-02-29', 'en')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it('formats 2500 CAD minor units as 25 dollars in each locale', () => {
    expect(formatMoney(cad(2500), 'fr-CA')).toBe('25,00\u00a0$');
    expect(formatMoney(cad(2500), 'en')).toBe('CA$25.00');
  });

  it('formats a zero-decimal currency without dividing: JPY 500 is 500 yen', () => {
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'fr-CA')).toBe('500\u00a0¥');
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'en')).toBe('¥500');
  });

  it('formats a three-decimal currency with its three minor digits', () => {
    expect(formatMoney({ amount: 1234, currency: 'KWD' }, 'en')).toMatch(/^KWD\s1\.234$/);
  });
});

describe('R-DUN-3: every dunning e-mail carries the update-card link, also when its button approves a 3-D Secure payment', () => {
  for (const locale of LOCALES) {
    it(`R-DUN-3: e-mail 1 and a follow-up with the approve button also link to the card update, as text (${locale})`, () => {
      const first = render('payment_failed', { ...firstMail, authenticateUrl: AUTHENTICATE_URL }, ctx(locale));
      const follow = render(
        'dunning_followup',
        {
          memberName: 'Léa',
          planName: 'Natation',
          invoiceId: 'inv_1',
          amount: cad(2500),
          followUp: 1,
          card: { brand: 'visa', last4: '4242' },
          hardDecline: false,
          declineCode: 'authentication_required',
          nextRetryOn: null,
          outlook: CANCEL,
          updatePaymentUrl: UPDATE_URL,
          authenticateUrl: AUTHENTICATE_URL,
        },
        ctx(locale),
      );
      for (const mail of [first, follow]) {
        expect(buttons(mail.html)).toEqual([{ href: escaped(AUTHENTICATE_URL), label: APPROVE[locale] }]);
        expect(mail.html).toContain(`href="${escaped(UPDATE_URL)}"`);
        expect(mail.text).toContain(`${UPDATE_CARD[locale]}:\n${UPDATE_URL}`);
      }
    });
  }
});
