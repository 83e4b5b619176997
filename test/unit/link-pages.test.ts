import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../shared/domain/schema.js';
import type { Branding } from '../../templates/emails/types.js';
import { PAGE_CSP, renderPage } from '../../templates/pages/render.js';
import type { LinkErrorReason, ManagePage, PageContext, PageData, PageRequest } from '../../templates/pages/types.js';

const LOCALES: Locale[] = ['fr-CA', 'en'];
const REASONS: LinkErrorReason[] = ['invalid', 'expired', 'used', 'wrong_purpose', 'not_allowed', 'unavailable'];

const branding: Branding = {
  organisationName: 'Club de natation de Laval',
  senderName: 'Sophie Gagnon',
  replyTo: 'membres@natation-laval.example',
};
const known = (locale: Locale): PageContext => ({ locale, branding });
const unknown = (locale: Locale): PageContext => ({ locale, branding: null });

const ACTION = 'https://relance.example/l/abc.def?k=1&v=2';
const HOSTILE_ACTION = 'https://relance.example/l/abc?x=1&y="><script>alert(1)</script>';

const renewConfirm: PageRequest = {
  view: 'renew_confirm',
  data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', termEnd: '2027-03-14', newTermEnd: '2028-03-14', amount: { amount: 18500, currency: 'CAD' }, cadence: 'upfront' },
};
const cancelImmediate: PageRequest = { view: 'cancel_confirm', data: { memberName: 'Léa Tremblay', planName: 'Mensuel', mode: 'immediate', terminationDate: '2027-05-31' } };
const cancelRequest: PageRequest = { view: 'cancel_confirm', data: { memberName: 'Léa Tremblay', planName: 'Mensuel', mode: 'request', terminationDate: null } };
const CONFIRM_VIEWS: Array<[string, PageRequest]> = [
  ['renew_confirm', renewConfirm],
  ['cancel_confirm (immediate)', cancelImmediate],
  ['cancel_confirm (request)', cancelRequest],
  ['authenticate_confirm', { view: 'authenticate_confirm', data: { memberName: 'Léa Tremblay', planName: 'Mensuel', amount: { amount: 2500, currency: 'CAD' } } }],
];
const DONE_VIEWS: Array<[string, PageRequest]> = [
  ['renew_done', { view: 'renew_done', data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', newTermEnd: '2028-03-14' } }],
  ['cancel_done', { view: 'cancel_done', data: { memberName: 'Léa Tremblay', planName: 'Mensuel', terminationDate: '2027-05-31' } }],
  ['cancel_requested', { view: 'cancel_requested', data: { memberName: 'Léa Tremblay', planName: 'Mensuel' } }],
  ['authenticate_done', { view: 'authenticate_done', data: { memberName: 'Léa Tremblay', planName: 'Mensuel' } }],
];

const count = (haystack: string, needle: string | RegExp) =>
  typeof needle === 'string' ? haystack.split(needle).length - 1 : [...haystack.matchAll(new RegExp(needle, 'g'))].length;

function escaped(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The text of the page without tags, for reading what a person sees. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/[ \t\r\n]+/g, ' ');
}

/** Asserts a well-formed page shell: language, viewport, no script of any kind. */
function expectSafeDocument(html: string, locale: Locale): void {
  expect(html).toMatch(new RegExp(`^<!DOCTYPE html>\\s*<html lang="${locale}">`));
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=|\sstyle=/i);
  expect(count(html, '<h1>')).toBe(1);
}

describe('renderPage: confirm views (R-LNK-2)', () => {
  for (const locale of LOCALES) {
    for (const [name, request] of CONFIRM_VIEWS) {
      it(`R-LNK-2: ${name} (${locale}) has exactly one POST form to the link's own URL with one submit button`, () => {
        const html = renderPage(request, known(locale), ACTION);
        expectSafeDocument(html, locale);
        expect(count(html, '<form method="post"')).toBe(1);
        expect(count(html, '<form')).toBe(1);
        expect(html).toContain(`<form method="post" action="${escaped(ACTION)}">`);
        expect(count(html, 'type="submit"')).toBe(1);
        expect(count(html, '<button')).toBe(1);
        expect(html).toMatch(/<button type="submit">[^<]+<\/button><\/form>/);
      });

      it(`R-LNK-2: ${name} (${locale}) escapes a hostile action URL`, () => {
        const html = renderPage(request, known(locale), HOSTILE_ACTION);
        expect(html).toContain('action="https://relance.example/l/abc?x=1&amp;y=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
        expect(html).not.toContain('<script');
      });
    }
  }

  it('R-REN-4: renew_confirm says what will happen, with the dates and the amount', () => {
    const fr = visibleText(renderPage(renewConfirm, known('fr-CA'), ACTION));
    expect(fr).toContain('prend fin le 14 mars 2027');
    expect(fr).toContain('renouvelé jusqu’au 14 mars 2028');
    expect(fr).toContain('185,00\u00a0$');
    expect(fr).toContain('Renouveler mon abonnement');
    const en = visibleText(renderPage(renewConfirm, known('en'), ACTION));
    expect(en).toContain('ends on March 14, 2027');
    expect(en).toContain('renewed until March 14, 2028');
    expect(en).toContain('CA$185.00');
  });

  it('R-CAN-5: cancel_confirm in immediate mode gives the last day of access and has no reason field', () => {
    const html = renderPage(cancelImmediate, known('en'), ACTION);
    expect(visibleText(html)).toContain('You keep access until May 31, 2027 (inclusive), and you will not be charged again.');
    expect(html).not.toContain('<textarea');
    expect(visibleText(renderPage(cancelImmediate, known('fr-CA'), ACTION))).toContain('jusqu’au 31 mai 2027 inclusivement');
  });

  it('R-CAN-5: cancel_confirm in request mode explains staff will review it and offers an optional reason of at most 500 characters', () => {
    for (const locale of LOCALES) {
      const html = renderPage(cancelRequest, known(locale), ACTION);
      const form = /<form[\s\S]*<\/form>/.exec(html)?.[0] ?? '';
      expect(form).toMatch(/<textarea id="reason" name="reason"[^>]* maxlength="500"[^>]*><\/textarea>/);
      expect(form).toContain('<label for="reason">');
      expect(form).not.toContain('required');
      expect(visibleText(html)).toMatch(locale === 'fr-CA' ? /examinée par un membre de l’équipe/ : /reviewed by a member of the team/);
    }
  });

  it('accepts a root-relative action and refuses any other kind of URL', () => {
    expect(renderPage(renewConfirm, known('en'), '/l/abc.def')).toContain('<form method="post" action="/l/abc.def">');
    expect(() => renderPage(renewConfirm, known('en'), 'javascript:alert(1)')).toThrow(RangeError);
    expect(() => renderPage(renewConfirm, known('en'), '//evil.example/l/x')).toThrow(RangeError);
  });
});

describe('renderPage: done views', () => {
  for (const locale of LOCALES) {
    for (const [name, request] of DONE_VIEWS) {
      it(`${name} (${locale}) confirms what happened and offers no further action`, () => {
        const html = renderPage(request, known(locale), ACTION);
        expectSafeDocument(html, locale);
        expect(html).not.toMatch(/<form|<button/);
        expect(html).toContain('<main class="success">');
      });
    }
  }

  it('R-REN-4, R-CAN-5: done views give the new expiry or the last day of access', () => {
    expect(visibleText(renderPage(DONE_VIEWS[0]![1], known('fr-CA'), ACTION))).toContain('valide jusqu’au 14 mars 2028');
    expect(visibleText(renderPage(DONE_VIEWS[1]![1], known('en'), ACTION))).toContain('You keep access until May 31, 2027 (inclusive)');
    expect(visibleText(renderPage(DONE_VIEWS[2]![1], known('en'), ACTION))).toContain('You will receive an answer by e-mail.');
  });
});

describe('renderPage: the authenticate link (R-PAY-3)', () => {
  for (const locale of LOCALES) {
    it(`R-PAY-3: authenticate_continue (${locale}) leaves for the bank's page by a plain link, not a form, its URL escaped`, () => {
      const url = 'https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=pi_1"><b>';
      const html = renderPage({ view: 'authenticate_continue', data: { memberName: 'Léa Tremblay', url } }, known(locale), ACTION);
      expectSafeDocument(html, locale);
      expect(html).not.toMatch(/<form|<button/);
      expect(count(html, '<a class="go"')).toBe(1);
      expect(html).toContain(`<a class="go" href="${escaped(url)}">`);
    });
  }

  it('R-PAY-3: a gateway URL that is not http(s) is refused', () => {
    expect(() => renderPage({ view: 'authenticate_continue', data: { memberName: 'Léa', url: 'javascript:alert(1)' } }, known('en'), ACTION)).toThrow(RangeError);
  });

  it('R-PAY-3: authenticate_confirm names the amount to approve and says nothing is charged before', () => {
    const html = renderPage(CONFIRM_VIEWS.at(-1)![1], known('en'), ACTION);
    expect(visibleText(html)).toMatch(/approve the payment of CA\$25\.00/);
    expect(visibleText(html)).toContain('Nothing is charged until you approve it');
  });
});

describe('renderPage: error views (R-LNK-3)', () => {
  for (const locale of LOCALES) {
    it(`R-LNK-3: every reason has its own plain-language title and says nothing changed (${locale})`, () => {
      const titles = new Set<string>();
      for (const reason of REASONS) {
        const html = renderPage({ view: 'error', data: { reason } }, known(locale), ACTION);
        expectSafeDocument(html, locale);
        expect(html).not.toMatch(/<form|<button/);
        expect(html).toContain('<main class="error">');
        titles.add(/<h1>([^<]+)<\/h1>/.exec(html)![1]!);
        const text = visibleText(html);
        expect(text).not.toMatch(/wrong_purpose|not_allowed|token|hmac|signature|\b40[0-9]\b/i);
        expect(text).toMatch(locale === 'fr-CA' ? /Rien( de plus)? n’a été modifié/ : /Nothing (more )?was changed/);
        expect(html).toContain(`<a href="mailto:${branding.replyTo}">${branding.replyTo}</a>`);
        expect(html).toContain(`<header><p class="org">${branding.organisationName}</p></header>`);
      }
      expect(titles.size).toBe(REASONS.length);
    });

    it(`R-LNK-3: without branding the error page has no header and points to the e-mail instead (${locale})`, () => {
      for (const reason of REASONS) {
        const html = renderPage({ view: 'error', data: { reason } }, unknown(locale), ACTION);
        expectSafeDocument(html, locale);
        expect(html).not.toContain('<header>');
        expect(html).not.toContain('mailto:');
        expect(visibleText(html)).toMatch(locale === 'fr-CA' ? /Répondez au courriel qui contenait ce lien/ : /Reply to the e-mail that contained this link/);
      }
    });
  }

  it('R-LNK-3: the expired page says the link expired, in each language', () => {
    expect(renderPage({ view: 'error', data: { reason: 'expired' } }, known('fr-CA'), ACTION)).toContain('<h1>Ce lien a expiré</h1>');
    expect(renderPage({ view: 'error', data: { reason: 'expired' } }, known('en'), ACTION)).toContain('<h1>This link has expired</h1>');
  });

  it('shows an optional detail, escaped', () => {
    const html = renderPage({ view: 'error', data: { reason: 'not_allowed', detail: 'Already cancelled <on 2027-05-01> & done' } }, known('en'), ACTION);
    expect(html).toContain('<p class="note">Already cancelled &lt;on 2027-05-01&gt; &amp; done</p>');
  });
});

describe('renderPage: escaping', () => {
  it('escapes hostile member, plan and organisation names on every view', () => {
    const ctx: PageContext = { locale: 'en', branding: { ...branding, organisationName: 'Les <script>x</script> & "Amis"', replyTo: 'a"b@example.org' } };
    const evil = { memberName: '<img src=x onerror=alert(1)>', planName: 'Or & <b>Argent</b>' };
    const requests: PageRequest[] = [
      { view: 'renew_confirm', data: { ...(renewConfirm.data as object), ...evil } as never },
      { view: 'cancel_confirm', data: { ...evil, mode: 'request', terminationDate: null } },
      { view: 'cancel_confirm', data: { ...evil, mode: 'immediate', terminationDate: '2027-05-31' } },
      { view: 'renew_done', data: { ...evil, newTermEnd: '2028-03-14' } },
      { view: 'cancel_done', data: { ...evil, terminationDate: '2027-05-31' } },
      { view: 'cancel_requested', data: evil },
      { view: 'error', data: { reason: 'invalid' } },
    ];
    for (const request of requests) {
      const html = renderPage(request, ctx, ACTION);
      expect(html, request.view).not.toMatch(/<script|<img|<b>/);
      expect(html, request.view).toContain('Les &lt;script&gt;x&lt;/script&gt; &amp; &quot;Amis&quot;');
      expect(html, request.view).not.toMatch(/&(?![a-zA-Z][a-zA-Z0-9]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/);
    }
    expect(renderPage(requests[0]!, ctx, ACTION)).toContain('Or &amp; &lt;b&gt;Argent&lt;/b&gt;');
  });
});

describe('PAGE_CSP', () => {
  const directives = new Map(
    PAGE_CSP.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('R-LNK-2: forbids every script and allows nothing to load from elsewhere', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.has('script-src')).toBe(false);
    expect(directives.has('script-src-elem')).toBe(false);
    expect(directives.has('script-src-attr')).toBe(false);
    expect(PAGE_CSP).not.toMatch(/unsafe-eval|unsafe-inline|\*|https?:/);
  });

  it('restricts forms to the same origin and forbids framing and base URLs', () => {
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
  });

  it("allows the page's own style element by hash, and nothing else", () => {
    const styleSrc = directives.get('style-src') ?? [];
    expect(styleSrc).toHaveLength(1);
    for (const [, request] of [...CONFIRM_VIEWS, ...DONE_VIEWS]) {
      for (const locale of LOCALES) {
        const html = renderPage(request, known(locale), ACTION);
        const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
        expect(styles).toHaveLength(1);
        const hash = createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64');
        expect(styleSrc[0]).toBe(`'sha256-${hash}'`);
      }
    }
  });
});

const cad = (amount: number) => ({ amount, currency: 'CAD' });
const VISA = { brand: 'visa', last4: '4242', expMonth: 8, expYear: 2028 };
const updateConfirm = (over: Partial<PageData['update_payment_confirm']> = {}): PageRequest => ({
  view: 'update_payment_confirm',
  data: { memberName: 'Léa Tremblay', planName: 'Mensuel', amount: cad(2500), card: VISA, ...over },
});
const manageData = (over: Partial<ManagePage> = {}): ManagePage => ({
  memberName: 'Léa Tremblay',
  planName: 'Mensuel',
  status: 'past_due',
  currentTerm: { start: '2027-03-01', end: '2028-02-29' },
  terminationDate: null,
  nextCharge: { date: '2027-05-01', amount: cad(2500), card: true },
  card: VISA,
  invoices: [
    { id: 'inv_2', issueDate: '2027-04-01', periodStart: '2027-04-01', periodEnd: '2027-04-30', amount: cad(2500), status: 'open', paidOn: null },
    { id: 'inv_1', issueDate: '2027-03-01', periodStart: '2027-03-01', periodEnd: '2027-03-31', amount: cad(2500), status: 'paid', paidOn: '2027-03-02' },
  ],
  owed: cad(2500),
  actions: { updatePaymentUrl: 'https://relance.example/l/upd.1', renewUrl: 'https://relance.example/l/ren.1', cancelUrl: 'https://relance.example/l/can.1', cancelMode: 'immediate' },
  ...over,
});
const manage = (over: Partial<ManagePage> = {}): PageRequest => ({ view: 'manage', data: manageData(over) });
const HOSTILE_NAME = '<script>alert(1)</script>';

describe('renderPage: update the card (R-DUN-4)', () => {
  for (const locale of LOCALES) {
    it(`R-DUN-4, R-LNK-2: update_payment_confirm (${locale}) has exactly one POST form to the link's own URL`, () => {
      for (const request of [updateConfirm(), updateConfirm({ card: null }), updateConfirm({ amount: null })]) {
        const html = renderPage(request, known(locale), ACTION);
        expectSafeDocument(html, locale);
        expect(count(html, '<form')).toBe(1);
        expect(html).toContain(`<form method="post" action="${escaped(ACTION)}"><button type="submit">`);
        expect(count(html, '<button')).toBe(1);
        expect(html).toContain('<main class="neutral">');
      }
    });

    it(`R-DUN-4: update_payment_confirm (${locale}) shows the card on file, the amount charged at once, and where the card is entered`, () => {
      const text = visibleText(renderPage(updateConfirm(), known(locale), ACTION));
      if (locale === 'fr-CA') {
        expect(text).toContain('Mettre à jour votre carte');
        expect(text).toContain('Visa se terminant par 4242');
        expect(text).toContain('08/2028');
        expect(text).toContain('25,00\u00a0$');
        expect(text).toContain('sera porté à la nouvelle carte dès qu’elle sera enregistrée');
        expect(text).toContain('Continuer vers la page sécurisée');
        expect(text).toContain('jamais sur ce site');
      } else {
        expect(text).toContain('Update your card');
        expect(text).toContain('Visa ending in 4242');
        expect(text).toContain('08/2028');
        expect(text).toContain('CA$25.00 will be charged to the new card right after it is saved');
        expect(text).toContain('Continue to the secure card page');
        expect(text).toContain('never on this site');
      }
    });

    it(`R-DUN-4: update_payment_confirm (${locale}) without a card says "pay by card", and without an amount charges nothing now`, () => {
      const noCard = visibleText(renderPage(updateConfirm({ card: null }), known(locale), ACTION));
      expect(noCard).toContain(locale === 'fr-CA' ? 'Payer par carte' : 'Pay by card');
      expect(noCard).not.toContain('4242');
      const nothingOwed = visibleText(renderPage(updateConfirm({ amount: null }), known(locale), ACTION));
      expect(nothingOwed).not.toMatch(/25[,.]00/);
      expect(nothingOwed).toContain(locale === 'fr-CA' ? 'Rien n’est dû pour le moment' : 'Nothing is owed now');
    });

    it(`R-DUN-4: update_payment_continue (${locale}) leaves for the secure card page by a plain link, its URL escaped`, () => {
      const url = 'https://checkout.stripe.com/c/pay/cs_1?x=1&y="><b>';
      const html = renderPage({ view: 'update_payment_continue', data: { memberName: 'Léa Tremblay', url } }, known(locale), ACTION);
      expectSafeDocument(html, locale);
      expect(html).not.toMatch(/<form|<button/);
      expect(count(html, '<a class="go"')).toBe(1);
      expect(html).toContain(`<a class="go" href="${escaped(url)}">${locale === 'fr-CA' ? 'Continuer vers la page sécurisée' : 'Continue to the secure page'}</a>`);
    });

    it(`R-DUN-4: update_payment_done (${locale}) thanks the member, says nothing is owed, and shows the card if any`, () => {
      const request = (card: PageData['update_payment_done']['card']): PageRequest => ({ view: 'update_payment_done', data: { memberName: 'Léa Tremblay', planName: 'Mensuel', card } });
      const html = renderPage(request({ brand: 'mastercard', last4: '5454' }), known(locale), ACTION);
      expectSafeDocument(html, locale);
      expect(html).not.toMatch(/<form|<button/);
      expect(html).toContain('<main class="success">');
      const text = visibleText(html);
      expect(text).toContain(locale === 'fr-CA' ? 'Merci — rien n’est dû pour le moment' : 'Thank you — nothing is owed now');
      expect(text).toContain(locale === 'fr-CA' ? 'Mastercard se terminant par 5454' : 'Mastercard ending in 5454');
      expect(visibleText(renderPage(request(null), known(locale), ACTION))).not.toContain('5454');
    });
  }

  it('R-DUN-4: a secure card page URL that is not http(s) is refused', () => {
    expect(() => renderPage({ view: 'update_payment_continue', data: { memberName: 'Léa', url: 'javascript:alert(1)' } }, known('en'), ACTION)).toThrow(RangeError);
  });
});

describe("renderPage: the member's own page (R-LNK-4)", () => {
  for (const locale of LOCALES) {
    it(`R-LNK-4: manage (${locale}) shows the plan, status, term, next charge, card, amount owed and invoices`, () => {
      const html = renderPage(manage(), known(locale), ACTION);
      expectSafeDocument(html, locale);
      expect(html).toContain('<main class="neutral">');
      const text = visibleText(html);
      expect(text).toContain('Mensuel');
      if (locale === 'fr-CA') {
        expect(text).toContain('Du 1er mars 2027 au 29 février 2028');
        expect(text).toContain('25,00\u00a0$ le 1er mai 2027, porté à votre carte');
        expect(text).toContain('Visa se terminant par 4242 (expiration 08/2028)');
        expect(text).toMatch(/Montant dû 25,00\u00a0\$/);
        expect(text).toContain('À payer');
        expect(text).toContain('Payée');
        expect(text).toContain('2 mars 2027');
      } else {
        expect(text).toContain('March 1, 2027 to February 29, 2028');
        expect(text).toContain('CA$25.00 on May 1, 2027, charged to your card');
        expect(text).toContain('Visa ending in 4242 (expires 08/2028)');
        expect(text).toMatch(/Amount owed CA\$25\.00/);
        expect(text).toContain('To pay');
        expect(text).toContain('March 2, 2027');
      }
    });

    it(`R-LNK-4: manage (${locale}) has no form: every action is a plain link, shown only when it exists`, () => {
      const html = renderPage(manage(), known(locale), ACTION);
      expect(html).not.toMatch(/<form|<button|method=/);
      expect(html).toContain('href="https://relance.example/l/upd.1"');
      expect(html).toContain('href="https://relance.example/l/ren.1"');
      expect(html).toContain('href="https://relance.example/l/can.1"');
      expect(visibleText(html)).toContain(locale === 'fr-CA' ? 'Mettre à jour ma carte' : 'Update my card');
      expect(visibleText(html)).toContain(locale === 'fr-CA' ? 'Annuler mon abonnement' : 'Cancel my membership');

      const none = renderPage(manage({ actions: { updatePaymentUrl: null, renewUrl: null, cancelUrl: null, cancelMode: null } }), known(locale), ACTION);
      expect(none).not.toMatch(/<form|<button/);
      expect(none).not.toContain('/l/');
      expect(none).not.toContain('class="actions"');
      expect(none).not.toContain('<a class="go"');

      const onlyRequest = renderPage(
        manage({ actions: { updatePaymentUrl: null, renewUrl: null, cancelUrl: '/l/can.2', cancelMode: 'request' } }),
        known(locale),
        ACTION,
      );
      expect(onlyRequest).toContain('href="/l/can.2"');
      expect(onlyRequest).not.toContain('upd.1');
      expect(onlyRequest).not.toContain('ren.1');
      expect(visibleText(onlyRequest)).toContain(locale === 'fr-CA' ? 'Demander l’annulation' : 'Request cancellation');

      // R-NOT-2: a notice waiting for the member's answer is one of the actions.
      const notice = renderPage(manage({ actions: { updatePaymentUrl: null, renewUrl: null, noticeUrl: '/l/ntc.1', cancelUrl: null, cancelMode: null } }), known(locale), ACTION);
      expect(notice).toContain('href="/l/ntc.1"');
      expect(visibleText(notice)).toContain(locale === 'fr-CA' ? 'Répondre à l’avis de renouvellement' : 'Answer the renewal notice');
    });

    it(`R-LNK-4, R-DUN-4: manage (${locale}) puts past_due and cancel_scheduled in words`, () => {
      const pastDue = visibleText(renderPage(manage({ status: 'past_due' }), known(locale), ACTION));
      expect(pastDue).toContain(
        locale === 'fr-CA' ? 'Paiement en retard — votre accès est maintenu pendant que nous réessayons' : 'Payment overdue — your access continues while we retry',
      );
      const scheduled = visibleText(renderPage(manage({ status: 'cancel_scheduled', terminationDate: '2027-05-31' }), known(locale), ACTION));
      expect(scheduled).toContain(locale === 'fr-CA' ? 'Annulé — accès jusqu’au 31 mai 2027 inclusivement' : 'Cancelled — access until May 31, 2027 (inclusive)');
      for (const status of ['active', 'pending', 'cancellation_requested', 'expired', 'terminated', 'voided']) {
        const text = visibleText(renderPage(manage({ status }), known(locale), ACTION));
        expect(text, status).not.toContain(status);
      }
      expect(() => renderPage(manage({ status: 'mystery' }), known(locale), ACTION)).toThrow(RangeError);
    });

    it(`R-LNK-4: manage (${locale}) shows a term without an end, no card, no next charge and nothing owed in words`, () => {
      const text = visibleText(
        renderPage(manage({ status: 'active', currentTerm: { start: '2027-03-01', end: null }, card: null, nextCharge: null, owed: null }), known(locale), ACTION),
      );
      expect(text).toContain(locale === 'fr-CA' ? 'aucune date de fin' : 'no end date');
      expect(text).toContain(locale === 'fr-CA' ? 'Aucune carte enregistrée' : 'No card on file');
      const invoiced = visibleText(renderPage(manage({ nextCharge: { date: '2027-05-01', amount: cad(2500), card: false } }), known(locale), ACTION));
      expect(invoiced).toContain(locale === 'fr-CA' ? 'facture envoyée par courriel' : 'invoice e-mailed');
    });

    it(`R-LNK-4: manage (${locale}) invoice table has a caption, column headers, and scrolls in a focusable labelled region`, () => {
      const html = renderPage(manage(), known(locale), ACTION);
      const table = /<table>[\s\S]*<\/table>/.exec(html)?.[0] ?? '';
      expect(table).toMatch(/<caption id="table-caption">[^<]+<\/caption>/);
      const headers = [...table.matchAll(/<th([^>]*)>([^<]*)<\/th>/g)];
      expect(headers).toHaveLength(5);
      for (const [, attributes, label] of headers) {
        expect(attributes).toContain('scope="col"');
        expect(label!.trim()).not.toBe('');
      }
      expect(count(table, '<tr>')).toBe(3);
      expect(html).toContain('<div class="scroll" role="region" aria-labelledby="table-caption" tabindex="0"><table>');

      const empty = renderPage(manage({ invoices: [] }), known(locale), ACTION);
      expect(empty).not.toContain('<table');
      expect(visibleText(empty)).toContain(locale === 'fr-CA' ? 'Aucune facture pour le moment.' : 'No invoices yet.');
    });
  }

  it('R-LNK-4: an action URL that is neither on this site nor http(s) is refused', () => {
    const actions = (cancelUrl: string) => manage({ actions: { updatePaymentUrl: null, renewUrl: null, cancelUrl, cancelMode: 'immediate' } });
    expect(() => renderPage(actions('javascript:alert(1)'), known('en'), ACTION)).toThrow(RangeError);
    expect(() => renderPage(actions('//evil.example/l/x'), known('en'), ACTION)).toThrow(RangeError);
    expect(() => renderPage(actions('/\\evil.example/l/x'), known('en'), ACTION)).toThrow(RangeError);
  });
});

describe('renderPage: escaping on the new views (R-DUN-4, R-LNK-4)', () => {
  for (const locale of LOCALES) {
    it(`escapes a <script> member name, plan name, card brand and URLs (${locale})`, () => {
      const evil = { memberName: HOSTILE_NAME, planName: 'Or & <b>Argent</b>' };
      const hostileUrl = 'https://relance.example/l/x?a=1&b="><script>';
      const requests: PageRequest[] = [
        updateConfirm({ ...evil, card: { ...VISA, brand: '<img src=x>' } }),
        { view: 'update_payment_continue', data: { memberName: HOSTILE_NAME, url: hostileUrl } },
        { view: 'update_payment_done', data: { ...evil, card: { brand: '<img src=x>', last4: '4242' } } },
        manage({
          ...evil,
          card: { ...VISA, brand: '<img src=x>' },
          actions: { updatePaymentUrl: hostileUrl, renewUrl: hostileUrl, cancelUrl: hostileUrl, cancelMode: 'request' },
        }),
      ];
      for (const request of requests) {
        const html = renderPage(request, known(locale), ACTION);
        expect(html, request.view).not.toMatch(/<script|<img|<b>/);
        expect(html, request.view).toMatch(/&lt;script&gt;|&quot;&gt;/);
        expect(html, request.view).not.toMatch(/&(?![a-zA-Z][a-zA-Z0-9]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/);
      }
      expect(renderPage(requests[0]!, known(locale), ACTION)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(renderPage(requests[3]!, known(locale), ACTION)).toContain(`href="${escaped(hostileUrl)}"`);
    });
  }

  it("keeps the page's style element allowed by the CSP hash on the new views", () => {
    const styleSrc = PAGE_CSP.split(';').map((d) => d.trim()).find((d) => d.startsWith('style-src'))!;
    for (const request of [updateConfirm(), manage()]) {
      const html = renderPage(request, known('en'), ACTION);
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
      expect(styleSrc).toBe(`style-src 'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`);
    }
  });
});

const PAY_URL = 'https://relance.example/l/pay.1?k=1&m=2';
const noticeConfirm = (over: Partial<PageData['notice_confirm']> = {}): PageRequest => ({
  view: 'notice_confirm',
  data: {
    memberName: 'Léa Tremblay',
    planName: 'Annuel adulte',
    termEnd: '2027-03-14',
    next: { planName: 'Annuel famille', start: '2027-03-15', end: '2028-03-14', amount: cad(29500) },
    changeRequested: false,
    ...over,
  },
});
const noticeAccepted: PageRequest = {
  view: 'notice_accepted',
  data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte', newTermEnd: '2028-03-14', amount: cad(29500), payUrl: PAY_URL },
};
const noticeChangesSent: PageRequest = { view: 'notice_changes_sent', data: { memberName: 'Léa Tremblay', planName: 'Annuel adulte' } };

/** The page's forms, in order. */
const formsOf = (html: string) => [...html.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]);

/**
 * Axe-like checks: ids are unique, every aria-describedby and label points to an element that
 * exists, every field has a label, and every button has a name.
 */
function expectAccessibleFields(html: string): void {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  expect(new Set(ids).size).toBe(ids.length);
  for (const [, refs] of html.matchAll(/aria-describedby="([^"]*)"/g)) {
    for (const ref of refs!.split(/\s+/)) expect(ids, ref).toContain(ref);
  }
  const labelled = [...html.matchAll(/<label for="([^"]+)">([^<]*)<\/label>/g)].map((m) => {
    expect(m[2]!.trim()).not.toBe('');
    return m[1]!;
  });
  for (const [, id] of html.matchAll(/<(?:textarea|input(?![^>]*type="hidden"))[^>]*\sid="([^"]+)"/g)) expect(labelled, id).toContain(id);
  expect(count(html, /<textarea/)).toBe(labelled.filter((id) => html.includes(`<textarea id="${id}"`)).length);
  for (const [, label] of html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)) expect(label!.trim()).not.toBe('');
}

describe('renderPage: the renewal notice (R-NOT-2)', () => {
  const ACCEPT: Record<Locale, string> = { en: 'Accept the renewal', 'fr-CA': 'Accepter le renouvellement' };
  const SEND: Record<Locale, string> = { en: 'Send my request', 'fr-CA': 'Envoyer ma demande' };
  const LABEL: Record<Locale, string> = { en: 'What would you like to change?', 'fr-CA': 'Que souhaitez-vous changer?' };

  for (const locale of LOCALES) {
    it(`R-NOT-2: notice_confirm (${locale}) has exactly two POST forms to the link's own URL: accept, and change with a labelled, required message`, () => {
      const html = renderPage(noticeConfirm(), known(locale), ACTION);
      expectSafeDocument(html, locale);
      expectAccessibleFields(html);
      expect(html).toContain('<main class="neutral">');
      expect(count(html, '<form')).toBe(2);
      expect(count(html, `<form method="post" action="${escaped(ACTION)}">`)).toBe(2);
      expect(count(html, '<button')).toBe(2);
      expect(count(html, 'type="submit"')).toBe(2);

      const [accept, change] = formsOf(html) as [string, string];
      expect(accept).toBe(`<form method="post" action="${escaped(ACTION)}"><input type="hidden" name="action" value="accept"><button type="submit">${ACCEPT[locale]}</button></form>`);
      expect(change).toContain('<input type="hidden" name="action" value="change">');
      expect(change).not.toContain('value="accept"');
      expect(change).toContain(`<label for="message">${LABEL[locale]}</label>`);
      expect(change).toMatch(/<textarea id="message" name="message" rows="5" required maxlength="1000" aria-describedby="message-hint"><\/textarea><p class="hint" id="message-hint">[^<]+<\/p>/);
      expect(change).toMatch(new RegExp(`<button type="submit" class="secondary">${SEND[locale]}</button></form>$`));
      expect(change).not.toMatch(/aria-invalid|role="alert"/);
      expect(count(html, /<textarea/)).toBe(1);
      // The second choice is introduced by its own heading, below the page's one h1.
      expect(html).toContain(`<h2>${locale === 'fr-CA' ? 'Demander des modifications' : 'Ask for changes'}</h2><form`);
    });

    it(`R-NOT-2: notice_confirm (${locale}) shows the current term end and the offered term, and says how to decline without a refuse button`, () => {
      const html = renderPage(noticeConfirm(), known(locale), ACTION);
      const text = visibleText(html);
      if (locale === 'fr-CA') {
        expect(text).toContain('Fin de la période actuelle 14 mars 2027');
        expect(text).toContain('Abonnement proposé Annuel famille');
        expect(text).toContain('Nouvelle période Du 15 mars 2027 au 14 mars 2028');
        expect(text).toContain('Montant 295,00\u00a0$');
        expect(text).toContain('une facture vous sera envoyée par courriel');
        expect(text).toContain('Vous ne souhaitez pas renouveler? Il suffit d’en informer l’organisme Club de natation de Laval');
      } else {
        expect(text).toContain('Current term ends on March 14, 2027');
        expect(text).toContain('Renewal plan Annuel famille');
        expect(text).toContain('New term March 15, 2027 to March 14, 2028');
        expect(text).toContain('Amount CA$295.00');
        expect(text).toContain('an invoice will be e-mailed to you');
        expect(text).toContain('Don’t wish to renew? Just let Club de natation de Laval know');
      }
      const buttonLabels = [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);
      expect(buttonLabels).toEqual([ACCEPT[locale], SEND[locale]]);
      expect(text).not.toMatch(/already asked|déjà demandé/);
    });

    it(`R-NOT-2: notice_confirm (${locale}) after an empty request marks the message invalid and says a message is needed, next to the field`, () => {
      const html = renderPage(noticeConfirm({ error: 'message_required' }), known(locale), ACTION);
      expectSafeDocument(html, locale);
      expectAccessibleFields(html);
      const change = formsOf(html)[1]!;
      const error = locale === 'fr-CA' ? 'Écrivez un message\u00a0: indiquez ce que vous souhaitez changer.' : 'Please write a message: tell us what you would like to change.';
      expect(change).toContain(
        `<label for="message">${LABEL[locale]}</label><p class="field-error" id="message-error" role="alert">${escaped(error)}</p>` +
          '<textarea id="message" name="message" rows="5" required maxlength="1000" aria-describedby="message-error message-hint" aria-invalid="true"></textarea>',
      );
      expect(count(html, 'aria-invalid="true"')).toBe(1);
      expect(formsOf(html)[0]).not.toContain('message-error');
      expect(count(html, '<form')).toBe(2);
    });

    it(`R-NOT-2: notice_confirm (${locale}) says when changes were already asked for, and that the member may still accept or write again`, () => {
      const text = visibleText(renderPage(noticeConfirm({ changeRequested: true }), known(locale), ACTION));
      expect(text).toContain(
        locale === 'fr-CA'
          ? 'Vous avez déjà demandé des modifications\u00a0: l’équipe communiquera avec vous. Vous pouvez tout de même accepter le renouvellement tel qu’il est proposé, ou écrire de nouveau ci-dessous.'
          : 'You have already asked for changes, and the team will contact you. You can still accept the renewal as offered, or write to us again below.',
      );
    });

    it(`R-NOT-2, R-NOT-4: notice_accepted (${locale}) thanks the member, gives the invoice amount and the new term end, and links to pay by card`, () => {
      const html = renderPage(noticeAccepted, known(locale), ACTION);
      expectSafeDocument(html, locale);
      expect(html).not.toMatch(/<form|<button/);
      expect(html).toContain('<main class="success">');
      expect(count(html, '<a class="go"')).toBe(1);
      expect(html).toContain(`<a class="go" href="${escaped(PAY_URL)}">${locale === 'fr-CA' ? 'Payer par carte maintenant' : 'Pay by card now'}</a>`);
      const text = visibleText(html);
      if (locale === 'fr-CA') {
        expect(text).toContain('Le renouvellement de votre abonnement «\u00a0Annuel adulte\u00a0» est accepté.');
        expect(text).toContain('Une facture de 295,00\u00a0$ vous a été envoyée par courriel');
        expect(text).toContain('valide jusqu’au 14 mars 2028');
      } else {
        expect(text).toContain('The renewal of your “Annuel adulte” membership is accepted.');
        expect(text).toContain('An invoice for CA$295.00 was e-mailed to you');
        expect(text).toContain('your new term runs until March 14, 2028');
      }
    });

    it(`R-NOT-2: notice_changes_sent (${locale}) says the request reached the organisation, which will contact the member`, () => {
      const html = renderPage(noticeChangesSent, known(locale), ACTION);
      expectSafeDocument(html, locale);
      expect(html).not.toMatch(/<form|<button/);
      expect(html).toContain('<main class="success">');
      const text = visibleText(html);
      expect(text).toContain(
        locale === 'fr-CA'
          ? 'Votre demande de modification du renouvellement de votre abonnement «\u00a0Annuel adulte\u00a0» a été transmise à l’équipe de l’organisme Club de natation de Laval.'
          : 'Your request for changes to the renewal of your “Annuel adulte” membership was sent to the team at Club de natation de Laval.',
      );
      expect(text).toContain(locale === 'fr-CA' ? 'L’équipe communiquera avec vous.' : 'They will contact you.');
    });

    it(`R-NOT-2: the notice views (${locale}) escape hostile names and a hostile action URL in both forms`, () => {
      const evil = { memberName: HOSTILE_NAME, planName: 'Or & <b>Argent</b>' };
      const requests: PageRequest[] = [
        noticeConfirm({ ...evil, next: { planName: '<img src=x>', start: '2027-03-15', end: '2028-03-14', amount: cad(29500) }, error: 'message_required' }),
        { view: 'notice_accepted', data: { ...evil, newTermEnd: '2028-03-14', amount: cad(29500), payUrl: 'https://relance.example/l/pay?a=1&b="><script>' } },
        { view: 'notice_changes_sent', data: evil },
      ];
      for (const request of requests) {
        const html = renderPage(request, known(locale), HOSTILE_ACTION);
        expect(html, request.view).not.toMatch(/<script|<img|<b>/);
        expect(html, request.view).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(html, request.view).not.toMatch(/&(?![a-zA-Z][a-zA-Z0-9]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/);
      }
      const confirm = renderPage(requests[0]!, known(locale), HOSTILE_ACTION);
      expect(count(confirm, 'action="https://relance.example/l/abc?x=1&amp;y=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')).toBe(2);
      expect(confirm).toContain('&lt;img src=x&gt;');
    });
  }

  it('R-NOT-2: a pay link that is not http(s), or an action that is neither on this site nor http(s), is refused', () => {
    expect(() => renderPage({ view: 'notice_accepted', data: { ...(noticeAccepted.data as PageData['notice_accepted']), payUrl: 'javascript:alert(1)' } }, known('en'), ACTION)).toThrow(RangeError);
    expect(() => renderPage(noticeConfirm(), known('en'), '//evil.example/l/x')).toThrow(RangeError);
    expect(renderPage(noticeConfirm(), known('en'), '/l/abc.def')).toContain('<form method="post" action="/l/abc.def"><input type="hidden" name="action" value="accept">');
  });

  it("R-NOT-2: keeps the page's style element allowed by the CSP hash on the notice views", () => {
    const styleSrc = PAGE_CSP.split(';').map((d) => d.trim()).find((d) => d.startsWith('style-src'))!;
    for (const request of [noticeConfirm({ error: 'message_required' }), noticeAccepted, noticeChangesSent]) {
      const html = renderPage(request, known('fr-CA'), ACTION);
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
      expect(styles).toHaveLength(1);
      expect(styleSrc).toBe(`style-src 'sha256-${createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64')}'`);
    }
  });

  it('R-NOT-2: the one-form confirm views keep their single form without hidden fields or message', () => {
    for (const [, request] of CONFIRM_VIEWS) {
      const html = renderPage(request, known('en'), ACTION);
      expectAccessibleFields(html);
      expect(html).not.toMatch(/type="hidden"|name="message"|<h2>|class="secondary"/);
    }
  });
});
