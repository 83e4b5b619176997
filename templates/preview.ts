import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Locale } from '../shared/domain/schema.js';
import { escapeHtml } from './format.js';
import { renderEmail } from './emails/render.js';
import type { Branding, DunningOutlook, EmailContext, TemplateData, TemplateId } from './emails/types.js';
import { renderPage } from './pages/render.js';
import type { LinkErrorReason, PageContext, PageRequest } from './pages/types.js';

/**
 * Renders every e-mail template and every link page in both locales with sample data from a
 * Quebec swim club, and writes them to a folder for a look in a browser:
 *   npx tsx templates/preview.ts [dir]        (default .relance/preview/)
 * The organisation's name holds `&` and `<` on purpose: it must show as typed, never as markup.
 */

const LOCALES: Locale[] = ['fr-CA', 'en'];

const branding: Branding = {
  organisationName: 'Club de natation Laval & Rive-Nord <CNLRN>',
  senderName: 'Sophie Gagnon',
  replyTo: 'membres@natation-laval.example',
  primaryColor: '#0b5c8a',
};

const LINK = 'https://relance.natation-laval.example/l/eyJwIjoicmVuZXciLCJtIjoibWJyXzAxIn0.c2lnbmF0dXJl';
const MANAGE = 'https://relance.natation-laval.example/l/eyJwIjoibWFuYWdlIiwibSI6Im1icl8wMSJ9.c2lnbmF0dXJl';
const CONSOLE = 'https://relance.natation-laval.example/console/memberships/mbr_01HZX4K7Q9';
const cad = (amount: number) => ({ amount, currency: 'CAD' });

function plan(locale: Locale): string {
  return locale === 'fr-CA' ? 'Maîtres nageurs – annuel' : 'Masters swimmers – annual';
}

function fallbackPlan(locale: Locale): string {
  return locale === 'fr-CA' ? 'Accès libre – mensuel' : 'Open swim – monthly';
}

/** A member's request for changes to their renewal (R-NOT-2), with `&`, `<` and a line break on purpose. */
function noticeMessage(locale: Locale): string {
  return locale === 'fr-CA'
    ? 'Serait-il possible de passer au tarif étudiant & de payer en 2 versements?\nMerci <3'
    : 'Could I switch to the student rate & pay in 2 instalments?\nThanks <3';
}

function emailSamples(locale: Locale): { [K in TemplateId]: Array<[variant: string, data: TemplateData[K]]> } {
  const planName = plan(locale);
  const memberName = 'Léa Tremblay-Bélanger';
  const cancelOutlook: DunningOutlook = { finalAction: 'cancel', deadline: '2027-04-14', stopDate: '2027-04-30', fallback: null };
  const downgradeOutlook: DunningOutlook = {
    finalAction: 'downgrade',
    deadline: '2027-04-14',
    stopDate: '2027-04-15',
    fallback: { planName: fallbackPlan(locale), amount: cad(1000), cadence: 'monthly' },
  };
  const unpaidOutlook: DunningOutlook = { finalAction: 'leave_unpaid', deadline: '2027-04-14', stopDate: null, fallback: null };
  return {
    reminder_automatic: [
      ['card', { memberName, planName, termEnd: '2027-03-14', renewalDate: '2027-03-15', newTermEnd: '2028-03-14', amount: cad(18500), cadence: 'upfront', cardOnFile: { brand: 'visa', last4: '4242' }, cancelUrl: LINK }],
      ['invoice-monthly', { memberName, planName, termEnd: '2027-03-14', renewalDate: '2027-03-15', newTermEnd: '2028-03-14', amount: cad(2500), cadence: 'monthly', cardOnFile: null, cancelUrl: LINK }],
    ],
    reminder_confirmation: [['', { memberName, planName, termEnd: '2027-03-14', newTermEnd: '2028-03-14', amount: cad(18500), cadence: 'upfront', renewUrl: LINK }]],
    renewal_confirmation: [
      ['charged', { memberName, planName, newTermStart: '2027-03-15', newTermEnd: '2028-03-14', charged: { amount: cad(18500), brand: 'mastercard', last4: '5100' }, cadence: 'upfront' }],
      ['monthly', { memberName, planName, newTermStart: '2027-03-15', newTermEnd: '2028-03-14', charged: null, cadence: 'monthly' }],
    ],
    expired: [['', { memberName: 'François Côté', planName, termEnd: '2027-01-01' }]],
    invoice: [
      ['renewal', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), dueDate: '2027-03-15', periodStart: '2027-03-15', periodEnd: '2028-03-14', renewal: true, replyTo: branding.replyTo }],
      ['monthly', { memberName, planName, invoiceId: 'F-2027-0043', amount: cad(2500), dueDate: '2027-04-01', periodStart: '2027-04-01', periodEnd: null, renewal: false, replyTo: branding.replyTo }],
      ['pay-by-card-resent', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), dueDate: '2027-03-15', periodStart: '2027-03-15', periodEnd: '2028-03-14', renewal: true, replyTo: branding.replyTo, payUrl: LINK, resent: true }],
    ],
    renewal_notice: [
      ['', { memberName, planName, termEnd: '2027-03-14', next: { planName, start: '2027-03-15', end: '2028-03-14', amount: cad(18500) }, answerUrl: LINK, reminder: 0 }],
      ['reminder-1', { memberName, planName, termEnd: '2027-03-14', next: { planName, start: '2027-03-15', end: '2028-03-14', amount: cad(18500) }, answerUrl: LINK, reminder: 1 }],
      ['other-plan', { memberName, planName, termEnd: '2027-03-14', next: { planName: fallbackPlan(locale), start: '2027-03-15', end: '2028-03-14', amount: cad(12000) }, answerUrl: LINK, reminder: 0 }],
    ],
    notice_change_received: [['', { memberName, planName, message: noticeMessage(locale) }]],
    notice_change_requested_org: [['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, termEnd: '2027-03-14', message: noticeMessage(locale), noticeUrl: CONSOLE }]],
    notice_refused: [['', { memberName, planName, lastDay: '2027-03-14' }]],
    cancellation_by_admin: [['', { memberName, planName, terminationDate: '2027-06-30', lastBillingDate: '2027-05-01' }]],
    cancellation_confirmed_member: [['', { memberName, planName, terminationDate: '2027-05-31' }]],
    cancellation_notice_org: [['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, terminationDate: '2027-05-31', reason: 'Je déménage à Québec & je reviendrai <peut-être>.', membershipUrl: CONSOLE }]],
    cancellation_request_org: [['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, requestedOn: '2027-05-12', reason: null, membershipUrl: CONSOLE }]],
    cancellation_request_received: [['', { memberName, planName }]],
    cancellation_request_accepted: [['', { memberName, planName, finalBillingDate: '2027-06-01', terminationDate: '2027-06-30' }]],
    cancellation_request_declined: [
      [
        '',
        {
          memberName,
          planName,
          reason:
            locale === 'fr-CA'
              ? 'Votre engagement de 12 mois se termine le 14 mars 2028 (voir l’entente signée le 15 mars 2027 & ses conditions).'
              : 'Your 12-month commitment runs until March 14, 2028 (see the agreement signed on March 15, 2027 & its terms).',
        },
      ],
    ],
    payment_failed: [
      ['soft', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9995' }, hardDecline: false, authenticateUrl: null }],
      ['hard', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9987' }, hardDecline: true, authenticateUrl: null }],
      ['authenticate', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '3184' }, hardDecline: false, authenticateUrl: LINK }],
      ['dunning-soft', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9995' }, hardDecline: false, authenticateUrl: null, nextRetryOn: '2027-04-04', outlook: cancelOutlook, updatePaymentUrl: LINK }],
      ['dunning-hard-downgrade', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9987' }, hardDecline: true, authenticateUrl: null, nextRetryOn: null, outlook: downgradeOutlook, updatePaymentUrl: LINK }],
      ['dunning-authenticate', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '3184' }, hardDecline: false, authenticateUrl: LINK, nextRetryOn: '2027-04-04', outlook: unpaidOutlook, updatePaymentUrl: LINK }],
    ],
    dunning_followup: [
      ...[1, 2, 3].map((followUp): [string, TemplateData['dunning_followup']] => [
        `${followUp}`,
        { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), followUp, card: { brand: 'visa', last4: '9995' }, hardDecline: false, declineCode: 'insufficient_funds', nextRetryOn: followUp < 3 ? '2027-04-09' : null, outlook: cancelOutlook, updatePaymentUrl: LINK, authenticateUrl: null },
      ]),
      ['hard', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), followUp: 1, card: { brand: 'visa', last4: '9987' }, hardDecline: true, declineCode: 'lost_card', nextRetryOn: null, outlook: downgradeOutlook, updatePaymentUrl: LINK, authenticateUrl: null }],
      ['authenticate', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), followUp: 2, card: { brand: 'visa', last4: '3184' }, hardDecline: false, declineCode: 'authentication_required', nextRetryOn: '2027-04-09', outlook: unpaidOutlook, updatePaymentUrl: LINK, authenticateUrl: LINK }],
    ],
    dunning_final_warning: [
      ['cancel', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9995' }, outlook: cancelOutlook, updatePaymentUrl: LINK }],
      ['downgrade', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: { brand: 'visa', last4: '9995' }, outlook: downgradeOutlook, updatePaymentUrl: LINK }],
      ['leave-unpaid', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), card: null, outlook: unpaidOutlook, updatePaymentUrl: LINK }],
    ],
    dunning_cancelled: [['', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), terminationDate: '2027-04-30' }]],
    dunning_downgraded: [['', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), fallbackPlanName: fallbackPlan(locale), fallbackAmount: cad(1000), cadence: 'monthly', effectiveDate: '2027-04-15' }]],
    dunning_unpaid_org: [['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, invoiceId: 'F-2027-0050', amount: cad(2500), tries: 4, lastDeclineCode: 'insufficient_funds', membershipUrl: CONSOLE }]],
    payment_receipt: [
      ['card', { memberName, planName, invoiceId: 'F-2027-0050', amount: cad(2500), paidOn: '2027-04-04', method: 'card', card: { brand: 'mastercard', last4: '5100' }, reference: 'ch_3Qx7Lm2eZvKYlo2C', periodStart: '2027-04-01', periodEnd: '2027-04-30' }],
      ['cheque', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), paidOn: '2027-03-20', method: 'cheque', card: null, reference: 'Chèque n° 1047', periodStart: '2027-03-15', periodEnd: '2028-03-14' }],
    ],
    card_expiring: [
      ['soon', { memberName, planName, card: { brand: 'visa', last4: '4242' }, expiresOn: '2027-04-30', today: false, nextChargeOn: '2027-05-01', nextChargeAmount: cad(2500), updatePaymentUrl: LINK }],
      ['today', { memberName, planName, card: { brand: 'visa', last4: '4242' }, expiresOn: '2027-04-30', today: true, nextChargeOn: null, nextChargeAmount: null, updatePaymentUrl: LINK }],
    ],
    card_request: [
      ['replace', { memberName, planName, card: { brand: 'visa', last4: '4242' }, updatePaymentUrl: LINK }],
      ['first', { memberName, planName, card: null, updatePaymentUrl: LINK }],
    ],
    email_undeliverable_org: [
      ['bounced', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, kind: 'notice', subject: 'Votre avis de renouvellement', reason: 'bounced', detail: 'Permanent/General: 550 5.1.1 user unknown', membershipUrl: CONSOLE }],
      ['suppressed', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, kind: 'dunning', subject: null, reason: 'suppressed', detail: null, membershipUrl: CONSOLE }],
    ],
    card_expiring_org: [['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, card: { brand: 'amex', last4: '0005' }, expiresOn: '2027-04-30', today: false, membershipUrl: CONSOLE }]],
    invoice_reminder: [
      ['1', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), dueDate: '2027-03-15', periodStart: '2027-03-15', periodEnd: '2028-03-14', reminder: 1, payUrl: LINK, replyTo: branding.replyTo }],
      ['2', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), dueDate: '2027-03-15', periodStart: '2027-03-15', periodEnd: '2028-03-14', reminder: 2, payUrl: LINK, replyTo: branding.replyTo }],
    ],
    payment_failed_org: [['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, invoiceId: 'F-2027-0050', amount: cad(2500), declineCode: 'insufficient_funds', hardDecline: false, membershipUrl: CONSOLE }]],
    dispute_opened_org: [
      ['', { memberName: 'Émile Bérubé', memberEmail: 'emile.berube@example.org', planName, invoiceId: 'F-2027-0050', amount: cad(2500), reason: 'fraudulent', disputeReference: 'dp_1Qx7Lm2eZvKYlo2C', membershipUrl: CONSOLE }],
    ],
    membership_voided: [
      ['refunded', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), refunded: cad(18500) }],
      ['no-refund', { memberName, planName, invoiceId: 'F-2027-0042', amount: cad(18500), refunded: null }],
    ],
  };
}

/** R-LNK-4: member mail carries the "manage my membership" link in its footer; staff notices (`…_org`) do not. */
function mailContext(locale: Locale, id: TemplateId): EmailContext {
  return { locale, branding, manageUrl: id.endsWith('_org') ? null : MANAGE };
}

const ERROR_REASONS: LinkErrorReason[] = ['invalid', 'expired', 'used', 'wrong_purpose', 'not_allowed', 'unavailable'];

function pageSamples(locale: Locale): Array<[name: string, request: PageRequest, ctx: PageContext]> {
  const known: PageContext = { locale, branding };
  const unknown: PageContext = { locale, branding: null };
  const memberName = 'Léa Tremblay-Bélanger';
  const planName = plan(locale);
  const noticeOffer = { memberName, planName, termEnd: '2027-03-14', next: { planName, start: '2027-03-15', end: '2028-03-14', amount: cad(18500) } };
  return [
    ['renew_confirm', { view: 'renew_confirm', data: { memberName, planName, termEnd: '2027-03-14', newTermEnd: '2028-03-14', amount: cad(18500), cadence: 'upfront' } }, known],
    ['renew_done', { view: 'renew_done', data: { memberName, planName, newTermEnd: '2028-03-14' } }, known],
    ['cancel_confirm-immediate', { view: 'cancel_confirm', data: { memberName, planName, mode: 'immediate', terminationDate: '2027-05-31' } }, known],
    ['cancel_confirm-request', { view: 'cancel_confirm', data: { memberName, planName, mode: 'request', terminationDate: null } }, known],
    ['cancel_done', { view: 'cancel_done', data: { memberName, planName, terminationDate: '2027-05-31' } }, known],
    ['cancel_requested', { view: 'cancel_requested', data: { memberName, planName } }, known],
    ['authenticate_confirm', { view: 'authenticate_confirm', data: { memberName, planName, amount: cad(2500) } }, known],
    ['authenticate_continue', { view: 'authenticate_continue', data: { memberName, url: 'https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=pi_1' } }, known],
    ['authenticate_done', { view: 'authenticate_done', data: { memberName, planName } }, known],
    ['notice_confirm', { view: 'notice_confirm', data: { ...noticeOffer, changeRequested: false } }, known],
    ['notice_confirm-change-requested', { view: 'notice_confirm', data: { ...noticeOffer, changeRequested: true } }, known],
    ['notice_confirm-message-required', { view: 'notice_confirm', data: { ...noticeOffer, changeRequested: false, error: 'message_required' } }, known],
    ['notice_accepted', { view: 'notice_accepted', data: { memberName, planName, newTermEnd: '2028-03-14', amount: cad(18500), payUrl: LINK } }, known],
    ['notice_changes_sent', { view: 'notice_changes_sent', data: { memberName, planName } }, known],
    ...ERROR_REASONS.map((reason): [string, PageRequest, PageContext] => [`error-${reason}`, { view: 'error', data: { reason } }, known]),
    ['error-invalid-no-branding', { view: 'error', data: { reason: 'invalid' } }, unknown],
  ];
}

function main(): void {
  const dir = resolve(process.argv[2] ?? '.relance/preview');
  const index: Array<{ file: string; label: string }> = [];
  const write = (file: string, body: string, label: string) => {
    const path = join(dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, body);
    index.push({ file, label });
  };

  for (const locale of LOCALES) {
    const samples = emailSamples(locale);
    for (const id of Object.keys(samples) as TemplateId[]) {
      for (const [variant, data] of samples[id] as Array<[string, TemplateData[typeof id]]>) {
        const name = `${locale}/emails/${id}${variant ? `-${variant}` : ''}`;
        const mail = renderEmail(id, data, mailContext(locale, id));
        write(`${name}.html`, mail.html, mail.subject);
        write(`${name}.txt`, `Subject: ${mail.subject}\n\n${mail.text}`, mail.subject);
      }
    }
    for (const [name, request, ctx] of pageSamples(locale)) {
      write(`${locale}/pages/${name}.html`, renderPage(request, ctx, LINK), `page ${request.view}${name.includes('no-branding') ? ' (no branding)' : ''}`);
    }
  }

  const links = index.map(({ file, label }) => `<li><a href="${escapeHtml(file)}">${escapeHtml(file)}</a> — ${escapeHtml(label)}</li>`).join('\n');
  write('index.html', `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Relance template preview</title></head>\n<body>\n<h1>Relance template preview</h1>\n<ul>\n${links}\n</ul>\n</body>\n</html>\n`, 'index');

  const shown = relative(process.cwd(), dir) || '.';
  console.log(`Wrote ${index.length} files to ${shown}/`);
  for (const { file, label } of index) console.log(`  ${file.padEnd(60)} ${label}`);
}

main();
