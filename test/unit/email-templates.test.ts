import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalDate } from '../../shared/domain/calendar.js';
import type { Locale, Money } from '../../shared/domain/schema.js';
import { renderEmail } from '../../templates/emails/render.js';
import type { Branding, EmailContext, RenderedEmail, TemplateData, TemplateId } from '../../templates/emails/types.js';
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
  it('covers all sixteen template ids of the contract', () => {
    expect(TEMPLATE_IDS).toHaveLength(16);
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
