import { createHash } from 'node:crypto';
import type { LocalDate } from '../../shared/domain/calendar.js';
import type { InvoiceStatus } from '../../shared/domain/invoice.js';
import type { MembershipStatus } from '../../shared/domain/membership.js';
import type { Locale, Money } from '../../shared/domain/schema.js';
import type { Inline } from '../emails/content.js';
import { cardBrandName, checkedUrl, escapeHtml, formatDate, formatMoney, mailtoUrl } from '../format.js';
import type { LinkErrorReason, ManagePage, PageContext, PageData, PageRequest } from './types.js';

/**
 * The member link pages (R-LNK-2, R-LNK-3): a small HTML document per view, without any
 * script. A confirm view has exactly one button in a POST form to the link's own URL, except
 * the renewal notice (R-NOT-2), which has two such forms, each with one button and a hidden
 * `action` (accept, or ask for changes with a message); the other views only say what happened. The member's own page (R-LNK-4) shows the membership and
 * its invoices and offers each action as a plain link (GET) to that action's own page. The style sheet is constant so that PAGE_CSP can allow
 * it by hash: no `unsafe-inline`, no style attributes, nothing loaded from elsewhere.
 */

const CSS = [
  ':root{color-scheme:light dark}',
  '*{box-sizing:border-box}',
  'body{margin:0;background:#f4f5f7;color:#1a1a1a;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}',
  '.wrap{max-width:36rem;margin:0 auto;padding:1.5rem 1rem 3rem}',
  '.org{margin:0 0 1rem;font-weight:700;font-size:1.125rem}',
  'main{background:#fff;border-top:4px solid #1f5a96;border-radius:6px;padding:1.5rem}',
  'main.success{border-top-color:#1e7b45}',
  'main.error{border-top-color:#b3261e}',
  'h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}',
  'p{margin:0 0 1rem}',
  'dl{margin:0 0 1.5rem;border-top:1px solid #e3e5e8}',
  'dl div{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.5rem 0;border-bottom:1px solid #e3e5e8}',
  'dt{color:#51565e;flex:1 1 10rem}',
  'dd{margin:0;font-weight:700;flex:2 1 12rem}',
  'label{display:block;font-weight:700;margin:0 0 .25rem}',
  'textarea{display:block;width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #767c85;border-radius:4px;background:#fff;color:inherit}',
  '.hint{color:#51565e;font-size:.875rem;margin:.25rem 0 1.25rem}',
  'button{display:block;width:100%;padding:.875rem 1.25rem;font:inherit;font-weight:700;color:#fff;background:#1f5a96;border:0;border-radius:6px;cursor:pointer}',
  'button:hover{background:#17467a}',
  'button.secondary{color:#1f5a96;background:#fff;border:2px solid #1f5a96}',
  'button.secondary:hover{background:#eef4fa}',
  '.field-error{color:#b3261e;font-weight:700;margin:0 0 .25rem}',
  'textarea[aria-invalid=true]{border:2px solid #b3261e}',
  ':focus-visible{outline:3px solid #e59c00;outline-offset:2px}',
  '.note{color:#51565e;font-size:.9375rem;margin:1rem 0 0}',
  'footer{color:#51565e;font-size:.875rem;padding:1rem .25rem 0}',
  'footer p{margin:0}',
  'a{color:#1f5a96}',
  '.go{display:inline-block;padding:.875rem 1.25rem;font-weight:700;color:#fff;background:#1f5a96;border-radius:6px;text-decoration:none}',
  'h2{font-size:1.125rem;line-height:1.3;margin:1.5rem 0 .75rem}',
  '.scroll{overflow-x:auto;margin:0 0 1.5rem;border:1px solid #e3e5e8;border-radius:4px}',
  'table{border-collapse:collapse;width:100%;font-size:.9375rem}',
  'caption{text-align:left;font-weight:700;padding:.5rem .75rem}',
  'th,td{padding:.5rem .75rem;text-align:left;vertical-align:top;white-space:nowrap;border-top:1px solid #e3e5e8}',
  'th{color:#51565e;font-weight:600}',
  '.num{text-align:right}',
  '.actions{list-style:none;margin:0 0 1rem;padding:0;display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1.25rem}',
  '@media (min-width:30rem){button{display:inline-block;width:auto}}',
  '@media (prefers-color-scheme:dark){body{background:#16181b;color:#e8eaed}main{background:#202327;border-top-color:#6aa6e0}' +
    'main.success{border-top-color:#5cc28a}main.error{border-top-color:#f28b82}dt,th,.hint,.note,footer{color:#b0b6bf}' +
    'dl,dl div,.scroll,th,td{border-color:#3a3f45}a{color:#8cc0f0}textarea{background:#16181b;border-color:#8a9099}' +
    'button,.go{background:#8cc0f0;color:#0b1a2a}button:hover{background:#aed3f5}' +
    'button.secondary{background:transparent;color:#8cc0f0;border-color:#8cc0f0}button.secondary:hover{background:#2a3f55}' +
    '.field-error{color:#f28b82}textarea[aria-invalid=true]{border-color:#f28b82}}',
].join('');

const CSS_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');

/** The Content-Security-Policy header value for every link page. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${CSS_HASH}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

type Tone = 'neutral' | 'success' | 'error';

interface PageContent {
  title: string;
  tone: Tone;
  paragraphs: Inline[][];
  facts?: Array<[label: string, value: string]>;
  /** The POST form to the link's own URL; the renewal notice has two (R-NOT-2). */
  form?: PageForm | PageForm[];
  /** A link out, styled as the page's one action (the gateway's page: a plain link, not a form). */
  go?: { label: string; url: string };
  /** A data table (the invoices), scrolling inside its own labelled region on a narrow screen. */
  table?: { caption: string; headers: Array<{ label: string; numeric?: boolean }>; rows: string[][]; empty: string };
  /** Actions offered as plain links (GET) to their own pages: R-LNK-4, nothing changes here. */
  links?: { heading: string; items: Array<{ label: string; url: string; primary: boolean }> };
  /** Shown after the form or the facts, in a quieter style. */
  notes?: Inline[][];
}

/** A POST form to the link's own URL, with one submit button. */
interface PageForm {
  button: string;
  /** An <h2> before the form, naming the choice it offers when a page has two. */
  heading?: string;
  /** The quieter button of the second form of a page. */
  secondary?: boolean;
  /** Hidden inputs: which of the page's actions the form takes (R-NOT-2: `action`). */
  hidden?: Array<[name: string, value: string]>;
  /** An optional reason (R-CAN-5), 500 characters at most. */
  reason?: { label: string; hint: string };
  /** A required message (R-NOT-2), 1000 characters at most; `error` says it came empty. */
  message?: { label: string; hint: string; error?: string | undefined };
}

interface Fmt {
  date(date: LocalDate): string;
  money(money: Money): string;
  /** A card's brand as people write it, e.g. "Visa". */
  brand(brand: string): string;
  /** A card's expiry as MM/YYYY. */
  expiry(month: number, year: number): string;
  /** The organisation's name, or null when the link is too broken to know it. */
  org: string | null;
}

type ViewCopy = {
  [V in Exclude<keyof PageData, 'error'>]: (data: PageData[V], f: Fmt) => PageContent;
};

interface PageCopy {
  views: ViewCopy;
  errors: Record<LinkErrorReason, { title: string; body: string[] }>;
  contact(org: string, replyTo: string): Inline[];
  contactUnknown: string;
  /** The footer line on non-error pages when the organisation is known. */
  footer(org: string, replyTo: string): Inline[];
}

const nb = (s: string) => s.replace(/« /g, '«\u00a0').replace(/ »/g, '\u00a0»').replace(/ :/g, '\u00a0:');

/** R-LNK-4: a status as stored, checked against the words a locale has for it. */
function knownStatus<K extends string>(words: Record<K, unknown>, status: string): K {
  if (!Object.prototype.hasOwnProperty.call(words, status)) throw new RangeError(`no words for status ${JSON.stringify(status)}`);
  return status as K;
}

const FR_MEMBERSHIP_STATUS: Record<MembershipStatus, (d: ManagePage, f: Fmt) => string> = {
  active: () => 'Actif',
  pending: (d, f) => `Débute le ${f.date(d.currentTerm.start)}`,
  past_due: () => 'Paiement en retard — votre accès est maintenu pendant que nous réessayons',
  cancellation_requested: () => 'Annulation demandée — en attente de la réponse de l’équipe',
  cancel_scheduled: (d, f) => (d.terminationDate ? `Annulé — accès jusqu’au ${f.date(d.terminationDate)} inclusivement` : 'Annulation prévue'),
  expired: () => 'Expiré',
  terminated: () => 'Terminé à la suite d’une annulation',
  voided: () => 'Annulé',
};

const FR_INVOICE_STATUS: Record<InvoiceStatus, string> = { open: 'À payer', paid: 'Payée', void: 'Annulée', uncollectible: 'Impayée' };

const EN_MEMBERSHIP_STATUS: Record<MembershipStatus, (d: ManagePage, f: Fmt) => string> = {
  active: () => 'Active',
  pending: (d, f) => `Starts on ${f.date(d.currentTerm.start)}`,
  past_due: () => 'Payment overdue — your access continues while we retry',
  cancellation_requested: () => 'Cancellation requested — awaiting the team’s answer',
  cancel_scheduled: (d, f) => (d.terminationDate ? `Cancelled — access until ${f.date(d.terminationDate)} (inclusive)` : 'Cancellation scheduled'),
  expired: () => 'Expired',
  terminated: () => 'Ended after cancellation',
  voided: () => 'Cancelled',
};

const EN_INVOICE_STATUS: Record<InvoiceStatus, string> = { open: 'To pay', paid: 'Paid', void: 'Cancelled', uncollectible: 'Unpaid' };

const FR: PageCopy = {
  views: {
    renew_confirm: (d, f) => ({
      title: 'Renouveler votre abonnement',
      tone: 'neutral',
      paragraphs: [
        [`Bonjour ${d.memberName},`],
        [nb(`Votre abonnement « ${d.planName} » prend fin le `), { strong: f.date(d.termEnd) }, '. En confirmant, il sera renouvelé jusqu’au ', { strong: f.date(d.newTermEnd) }, '.'],
        [d.cadence === 'monthly' ? `Votre facturation mensuelle de ${f.money(d.amount)} se poursuivra.` : `Le renouvellement coûte ${f.money(d.amount)} pour la nouvelle période.`],
      ],
      facts: [
        ['Abonnement', d.planName],
        ['Échéance actuelle', f.date(d.termEnd)],
        ['Nouvelle échéance', f.date(d.newTermEnd)],
        ['Montant', d.cadence === 'monthly' ? `${f.money(d.amount)} par mois` : f.money(d.amount)],
      ],
      form: { button: 'Renouveler mon abonnement' },
      notes: [[nb('Vous avez changé d’avis? Fermez simplement cette page : rien ne sera modifié.')]],
    }),
    renew_done: (d, f) => ({
      title: 'Votre abonnement est renouvelé',
      tone: 'success',
      paragraphs: [
        [nb(`Merci, ${d.memberName}! Votre abonnement « ${d.planName} » est maintenant valide jusqu’au `), { strong: f.date(d.newTermEnd) }, '.'],
        ['Vous recevrez une confirmation par courriel. Vous pouvez fermer cette page.'],
      ],
    }),
    cancel_confirm: (d, f) =>
      d.mode === 'request'
        ? {
            title: 'Demander l’annulation de votre abonnement',
            tone: 'neutral',
            paragraphs: [
              [`Bonjour ${d.memberName},`],
              [nb(`Pour l’abonnement « ${d.planName} », chaque demande d’annulation est examinée par un membre de l’équipe${f.org ? ` de l’organisme ${f.org}` : ''}.`)],
              [nb('Envoyez votre demande : vous recevrez une réponse par courriel. D’ici là, rien ne change à votre abonnement.')],
            ],
            facts: [['Abonnement', d.planName]],
            form: { button: 'Envoyer ma demande', reason: { label: 'Motif (facultatif)', hint: '500 caractères au maximum.' } },
            notes: [[nb('Vous avez changé d’avis? Fermez simplement cette page : aucune demande ne sera envoyée.')]],
          }
        : {
            title: 'Annuler votre abonnement',
            tone: 'neutral',
            paragraphs: [
              [`Bonjour ${d.memberName},`],
              d.terminationDate
                ? [nb(`Si vous confirmez, votre abonnement « ${d.planName} » sera annulé. Vous y aurez accès jusqu’au `), { strong: f.date(d.terminationDate) }, ' inclusivement, et aucun autre paiement ne vous sera demandé.']
                : [nb(`Si vous confirmez, votre abonnement « ${d.planName} » sera annulé à la fin de la période déjà payée, et aucun autre paiement ne vous sera demandé.`)],
            ],
            facts: d.terminationDate ? [['Abonnement', d.planName], ['Dernier jour d’accès', f.date(d.terminationDate)]] : [['Abonnement', d.planName]],
            form: { button: 'Confirmer l’annulation' },
            notes: [[nb('Vous avez changé d’avis? Fermez simplement cette page : rien ne sera modifié.')]],
          },
    cancel_done: (d, f) => ({
      title: 'Votre abonnement est annulé',
      tone: 'success',
      paragraphs: [
        [nb(`L’annulation de votre abonnement « ${d.planName} » est confirmée. Vous y avez accès jusqu’au `), { strong: f.date(d.terminationDate) }, ' inclusivement; aucun autre paiement ne vous sera demandé.'],
        ['Vous recevrez une confirmation par courriel. Vous pouvez fermer cette page.'],
      ],
    }),
    authenticate_confirm: (d, f) => ({
      title: 'Approuver votre paiement',
      tone: 'neutral',
      paragraphs: [
        [`Bonjour ${d.memberName},`],
        [nb(`Votre institution financière demande que vous approuviez vous-même le paiement de `), { strong: f.money(d.amount) }, nb(` pour votre abonnement « ${d.planName} ». Vous serez dirigé vers la page sécurisée de notre processeur de paiement, puis vers celle de votre banque.`)],
      ],
      facts: [
        ['Abonnement', d.planName],
        ['Montant', f.money(d.amount)],
      ],
      form: { button: 'Continuer vers ma banque' },
      notes: [[nb('Rien n’est débité avant votre approbation. Vous pouvez fermer cette page et revenir plus tard avec le même lien.')]],
    }),
    authenticate_continue: (d) => ({
      title: 'Approuvez le paiement auprès de votre banque',
      tone: 'neutral',
      paragraphs: [[`${d.memberName}, la page de votre banque est prête.`]],
      go: { label: 'Ouvrir la page de ma banque', url: d.url },
      notes: [[nb('Une fois le paiement approuvé, vous recevrez une confirmation par courriel.')]],
    }),
    authenticate_done: (d) => ({
      title: 'Rien à approuver',
      tone: 'success',
      paragraphs: [
        [nb(`Merci, ${d.memberName}. Le paiement de votre abonnement « ${d.planName} » est fait ou en cours de confirmation; il n’y a plus rien à approuver.`)],
        ['Vous pouvez fermer cette page.'],
      ],
    }),
    cancel_requested: (d, f) => ({
      title: 'Votre demande est envoyée',
      tone: 'success',
      paragraphs: [
        [nb(`Merci, ${d.memberName}. Votre demande d’annulation de l’abonnement « ${d.planName} » a été transmise à l’équipe${f.org ? ` de l’organisme ${f.org}` : ''}.`)],
        ['Vous recevrez une réponse par courriel. D’ici là, rien ne change à votre abonnement.'],
      ],
    }),
    update_payment_confirm: (d, f) => {
      const card = d.card ? `${f.brand(d.card.brand)} se terminant par ${d.card.last4}` : null;
      const facts: Array<[string, string]> = [['Abonnement', d.planName]];
      if (d.card) facts.push(['Carte actuelle', `${card} (expiration ${f.expiry(d.card.expMonth, d.card.expYear)})`]);
      if (d.amount) facts.push(['Montant à payer maintenant', f.money(d.amount)]);
      return {
        title: d.card ? 'Mettre à jour votre carte' : d.amount ? 'Payer par carte' : 'Ajouter une carte',
        tone: 'neutral',
        paragraphs: [
          [`Bonjour ${d.memberName},`],
          d.card
            ? [nb(`La carte enregistrée pour votre abonnement « ${d.planName} » est la carte ${card}. Vous pouvez la remplacer par une autre carte.`)]
            : [nb(`Aucune carte n’est enregistrée pour votre abonnement « ${d.planName} ».`)],
          d.amount
            ? ['Le solde dû de ', { strong: f.money(d.amount) }, d.card ? ' sera porté à la nouvelle carte dès qu’elle sera enregistrée.' : ' sera porté à votre carte dès qu’elle sera enregistrée.']
            : [nb('Rien n’est dû pour le moment : la carte servira à vos prochains paiements.')],
        ],
        facts,
        form: { button: 'Continuer vers la page sécurisée' },
        notes: [
          ['Vous entrerez les renseignements de votre carte sur la page sécurisée de notre processeur de paiement, jamais sur ce site.'],
          [nb('Vous avez changé d’avis? Fermez simplement cette page : rien ne sera modifié.')],
        ],
      };
    },
    update_payment_continue: (d) => ({
      title: 'Entrez votre carte sur la page sécurisée',
      tone: 'neutral',
      paragraphs: [[`${d.memberName}, la page sécurisée de notre processeur de paiement est prête.`]],
      go: { label: 'Continuer vers la page sécurisée', url: d.url },
      notes: [['Les renseignements de votre carte sont entrés sur cette page sécurisée, jamais sur ce site.']],
    }),
    update_payment_done: (d, f) => ({
      title: 'Merci — rien n’est dû pour le moment',
      tone: 'success',
      paragraphs: [
        [nb(`Merci, ${d.memberName}. Aucun montant n’est dû sur votre abonnement « ${d.planName} ».`)],
        ...(d.card ? [[`La carte enregistrée à votre dossier est la carte ${f.brand(d.card.brand)} se terminant par ${d.card.last4}; elle servira à vos prochains paiements.`]] : []),
        ['Vous pouvez fermer cette page.'],
      ],
    }),
    notice_confirm: (d, f) => {
      const amount = f.money(d.next.amount);
      return {
        title: 'Votre avis de renouvellement',
        tone: 'neutral',
        paragraphs: [
          [`Bonjour ${d.memberName},`],
          [
            nb(`Votre abonnement « ${d.planName} » prend fin le `),
            { strong: f.date(d.termEnd) },
            nb(`. Nous vous proposons de le renouveler : « ${d.next.planName} », du ${f.date(d.next.start)} au ${f.date(d.next.end)}, pour `),
            { strong: amount },
            '.',
          ],
          ['Si vous acceptez, une facture vous sera envoyée par courriel; la nouvelle période commencera lorsqu’elle sera payée et que votre période actuelle aura pris fin.'],
          ...(d.changeRequested
            ? [[nb('Vous avez déjà demandé des modifications : l’équipe communiquera avec vous. Vous pouvez tout de même accepter le renouvellement tel qu’il est proposé, ou écrire de nouveau ci-dessous.')]]
            : []),
        ],
        facts: [
          ['Abonnement actuel', d.planName],
          ['Fin de la période actuelle', f.date(d.termEnd)],
          ['Abonnement proposé', d.next.planName],
          ['Nouvelle période', `Du ${f.date(d.next.start)} au ${f.date(d.next.end)}`],
          ['Montant', amount],
        ],
        form: [
          { button: 'Accepter le renouvellement', hidden: [['action', 'accept']] },
          {
            heading: 'Demander des modifications',
            button: 'Envoyer ma demande',
            secondary: true,
            hidden: [['action', 'change']],
            message: {
              label: 'Que souhaitez-vous changer?',
              hint: `Par exemple un autre abonnement, d’autres dates ou une question sur le montant (1\u00a0000 caractères au maximum). L’équipe${f.org ? ` de l’organisme ${f.org}` : ''} communiquera avec vous.`,
              error: d.error === 'message_required' ? nb('Écrivez un message : indiquez ce que vous souhaitez changer.') : undefined,
            },
          },
        ],
        notes: [[nb(`Vous ne souhaitez pas renouveler? Il suffit d’en informer ${f.org ? `l’organisme ${f.org}` : 'l’organisme'} en répondant au courriel qui contenait ce lien.`)]],
      };
    },
    notice_accepted: (d, f) => ({
      title: 'Merci — votre renouvellement est accepté',
      tone: 'success',
      paragraphs: [
        [nb(`Merci, ${d.memberName}! Le renouvellement de votre abonnement « ${d.planName} » est accepté.`)],
        ['Une facture de ', { strong: f.money(d.amount) }, ' vous a été envoyée par courriel. Une fois qu’elle sera payée, votre nouvelle période sera valide jusqu’au ', { strong: f.date(d.newTermEnd) }, '.'],
      ],
      go: { label: 'Payer par carte maintenant', url: d.payUrl },
      notes: [['Vous pouvez aussi payer plus tard à partir du courriel de la facture, ou y répondre pour payer autrement.']],
    }),
    notice_changes_sent: (d, f) => ({
      title: 'Votre demande est envoyée',
      tone: 'success',
      paragraphs: [
        [nb(`Merci, ${d.memberName}. Votre demande de modification du renouvellement de votre abonnement « ${d.planName} » a été transmise à l’équipe${f.org ? ` de l’organisme ${f.org}` : ''}.`)],
        ['L’équipe communiquera avec vous. D’ici là, rien ne change à votre abonnement; vous recevrez une confirmation par courriel.'],
      ],
    }),
    manage: (d, f) => {
      const { updatePaymentUrl, renewUrl, noticeUrl, cancelUrl, cancelMode } = d.actions;
      const items: Array<{ label: string; url: string; primary: boolean }> = [];
      if (updatePaymentUrl) items.push({ label: d.card ? 'Mettre à jour ma carte' : d.owed ? 'Payer par carte' : 'Ajouter une carte', url: updatePaymentUrl, primary: true });
      if (renewUrl) items.push({ label: 'Renouveler mon abonnement', url: renewUrl, primary: true });
      if (noticeUrl) items.push({ label: 'Répondre à l’avis de renouvellement', url: noticeUrl, primary: true });
      if (cancelUrl) items.push({ label: cancelMode === 'request' ? 'Demander l’annulation' : 'Annuler mon abonnement', url: cancelUrl, primary: false });
      return {
        title: 'Votre abonnement',
        tone: 'neutral',
        paragraphs: [
          [`Bonjour ${d.memberName},`],
          [nb(`Voici l’état de votre abonnement « ${d.planName} » et vos dernières factures.`)],
          ...(d.owed ? [['Un solde de ', { strong: f.money(d.owed) }, updatePaymentUrl ? ' est à payer. Vous pouvez le régler par carte dès maintenant.' : ' est à payer.'] as Inline[]] : []),
        ],
        facts: [
          ['Abonnement', d.planName],
          ['Statut', FR_MEMBERSHIP_STATUS[knownStatus(FR_MEMBERSHIP_STATUS, d.status)](d, f)],
          ['Période en cours', d.currentTerm.end ? `Du ${f.date(d.currentTerm.start)} au ${f.date(d.currentTerm.end)}` : `À partir du ${f.date(d.currentTerm.start)} (aucune date de fin)`],
          [
            'Prochain paiement',
            d.nextCharge
              ? `${f.money(d.nextCharge.amount)} le ${f.date(d.nextCharge.date)}, ${d.nextCharge.card ? 'porté à votre carte' : 'facture envoyée par courriel'}`
              : 'Aucun paiement prévu',
          ],
          ['Carte enregistrée', d.card ? `${f.brand(d.card.brand)} se terminant par ${d.card.last4} (expiration ${f.expiry(d.card.expMonth, d.card.expYear)})` : 'Aucune carte enregistrée'],
          ['Montant dû', d.owed ? f.money(d.owed) : 'Aucun'],
        ],
        table: {
          caption: 'Vos factures, les plus récentes en premier',
          headers: [{ label: 'Date' }, { label: 'Période' }, { label: 'Montant', numeric: true }, { label: 'Statut' }, { label: 'Payée le' }],
          rows: d.invoices.map((invoice) => [
            f.date(invoice.issueDate),
            invoice.periodEnd ? `du ${f.date(invoice.periodStart)} au ${f.date(invoice.periodEnd)}` : `à partir du ${f.date(invoice.periodStart)}`,
            f.money(invoice.amount),
            FR_INVOICE_STATUS[knownStatus(FR_INVOICE_STATUS, invoice.status)],
            invoice.paidOn ? f.date(invoice.paidOn) : '—',
          ]),
          empty: 'Aucune facture pour le moment.',
        },
        links: { heading: 'Que souhaitez-vous faire?', items },
        notes: items.length ? [['Chaque action s’ouvre sur sa propre page, où vous pourrez la confirmer; rien ne change avant.']] : [],
      };
    },
  },
  errors: {
    invalid: {
      title: 'Ce lien n’est pas valide',
      body: [
        'Ce lien est incomplet ou a été modifié. Ouvrez-le de nouveau à partir du courriel reçu, en vous assurant que l’adresse est complète.',
        'Rien n’a été modifié à votre abonnement.',
      ],
    },
    expired: {
      title: 'Ce lien a expiré',
      body: [
        'Par mesure de sécurité, les liens envoyés par courriel ne sont valides que pendant une période limitée, et celui-ci ne l’est plus.',
        'Rien n’a été modifié à votre abonnement.',
      ],
    },
    used: {
      title: 'Ce lien a déjà été utilisé',
      body: [
        'Ce lien ne peut servir qu’une seule fois et il a déjà été utilisé. Si c’était vous, votre choix a bien été pris en compte : vous devriez avoir reçu une confirmation par courriel.',
        'Rien de plus n’a été modifié.',
      ].map(nb),
    },
    wrong_purpose: {
      title: 'Ce lien ne permet pas cette action',
      body: ['Ce lien a été créé pour une autre action. Utilisez le bouton correspondant dans le courriel que vous avez reçu.', 'Rien n’a été modifié à votre abonnement.'],
    },
    unavailable: {
      title: 'Service momentanément indisponible',
      body: ['Le service de paiement n’a pas répondu; réessayez dans quelques minutes avec le même lien. Rien n’a été débité.', 'Rien n’a été modifié à votre abonnement.'],
    },
    not_allowed: {
      title: 'Cette action n’est plus possible',
      body: [
        'Votre abonnement a changé depuis l’envoi du courriel (par exemple, il a déjà été renouvelé ou annulé), et cette action ne s’applique plus.',
        'Rien n’a été modifié à votre abonnement.',
      ],
    },
  },
  contact: (org, replyTo) => [`Besoin d’aide? Écrivez à l’organisme ${org} à l’adresse `, { email: replyTo }, '.'],
  contactUnknown: nb('Besoin d’aide? Répondez au courriel qui contenait ce lien : votre message parviendra à l’organisme.'),
  footer: (org, replyTo) => [`Une question? Écrivez à l’organisme ${org} à l’adresse `, { email: replyTo }, '.'],
};

const EN: PageCopy = {
  views: {
    renew_confirm: (d, f) => ({
      title: 'Renew your membership',
      tone: 'neutral',
      paragraphs: [
        [`Hello ${d.memberName},`],
        [`Your “${d.planName}” membership ends on `, { strong: f.date(d.termEnd) }, '. If you confirm, it will be renewed until ', { strong: f.date(d.newTermEnd) }, '.'],
        [d.cadence === 'monthly' ? `Your monthly billing of ${f.money(d.amount)} will continue.` : `Renewing costs ${f.money(d.amount)} for the new term.`],
      ],
      facts: [
        ['Membership', d.planName],
        ['Current expiry date', f.date(d.termEnd)],
        ['New expiry date', f.date(d.newTermEnd)],
        ['Amount', d.cadence === 'monthly' ? `${f.money(d.amount)} per month` : f.money(d.amount)],
      ],
      form: { button: 'Renew my membership' },
      notes: [['Changed your mind? Just close this page; nothing will change.']],
    }),
    renew_done: (d, f) => ({
      title: 'Your membership is renewed',
      tone: 'success',
      paragraphs: [
        [`Thank you, ${d.memberName}! Your “${d.planName}” membership is now valid until `, { strong: f.date(d.newTermEnd) }, '.'],
        ['You will receive a confirmation by e-mail. You can close this page.'],
      ],
    }),
    cancel_confirm: (d, f) =>
      d.mode === 'request'
        ? {
            title: 'Request to cancel your membership',
            tone: 'neutral',
            paragraphs: [
              [`Hello ${d.memberName},`],
              [`For the “${d.planName}” membership, each cancellation request is reviewed by a member of the team${f.org ? ` at ${f.org}` : ''}.`],
              ['Send your request and you will receive an answer by e-mail. Until then, nothing changes on your membership.'],
            ],
            facts: [['Membership', d.planName]],
            form: { button: 'Send my request', reason: { label: 'Reason (optional)', hint: '500 characters at most.' } },
            notes: [['Changed your mind? Just close this page; no request will be sent.']],
          }
        : {
            title: 'Cancel your membership',
            tone: 'neutral',
            paragraphs: [
              [`Hello ${d.memberName},`],
              d.terminationDate
                ? [`If you confirm, your “${d.planName}” membership will be cancelled. You keep access until `, { strong: f.date(d.terminationDate) }, ' (inclusive), and you will not be charged again.']
                : [`If you confirm, your “${d.planName}” membership will be cancelled at the end of the period already paid, and you will not be charged again.`],
            ],
            facts: d.terminationDate ? [['Membership', d.planName], ['Last day of access', f.date(d.terminationDate)]] : [['Membership', d.planName]],
            form: { button: 'Confirm cancellation' },
            notes: [['Changed your mind? Just close this page; nothing will change.']],
          },
    cancel_done: (d, f) => ({
      title: 'Your membership is cancelled',
      tone: 'success',
      paragraphs: [
        [`Your “${d.planName}” membership is cancelled. You keep access until `, { strong: f.date(d.terminationDate) }, ' (inclusive); you will not be charged again.'],
        ['You will receive a confirmation by e-mail. You can close this page.'],
      ],
    }),
    authenticate_confirm: (d, f) => ({
      title: 'Approve your payment',
      tone: 'neutral',
      paragraphs: [
        [`Hello ${d.memberName},`],
        ['Your bank asks you to approve the payment of ', { strong: f.money(d.amount) }, ` for your “${d.planName}” membership yourself. You will go to our payment processor's secure page, then to your bank's.`],
      ],
      facts: [
        ['Membership', d.planName],
        ['Amount', f.money(d.amount)],
      ],
      form: { button: 'Continue to my bank' },
      notes: [['Nothing is charged until you approve it. You can close this page and come back later with the same link.']],
    }),
    authenticate_continue: (d) => ({
      title: 'Approve the payment with your bank',
      tone: 'neutral',
      paragraphs: [[`${d.memberName}, your bank's page is ready.`]],
      go: { label: "Open my bank's page", url: d.url },
      notes: [['Once the payment is approved, you will receive a confirmation by e-mail.']],
    }),
    authenticate_done: (d) => ({
      title: 'Nothing left to approve',
      tone: 'success',
      paragraphs: [
        [`Thank you, ${d.memberName}. The payment for your “${d.planName}” membership is made or being confirmed; there is nothing left to approve.`],
        ['You can close this page.'],
      ],
    }),
    cancel_requested: (d, f) => ({
      title: 'Your request was sent',
      tone: 'success',
      paragraphs: [
        [`Thank you, ${d.memberName}. Your request to cancel your “${d.planName}” membership was sent to ${f.org ? `the team at ${f.org}` : 'the team in charge'}.`],
        ['You will receive an answer by e-mail. Until then, nothing changes on your membership.'],
      ],
    }),
    update_payment_confirm: (d, f) => {
      const card = d.card ? `${f.brand(d.card.brand)} ending in ${d.card.last4}` : null;
      const facts: Array<[string, string]> = [['Membership', d.planName]];
      if (d.card) facts.push(['Current card', `${card} (expires ${f.expiry(d.card.expMonth, d.card.expYear)})`]);
      if (d.amount) facts.push(['Amount to pay now', f.money(d.amount)]);
      return {
        title: d.card ? 'Update your card' : d.amount ? 'Pay by card' : 'Add a card',
        tone: 'neutral',
        paragraphs: [
          [`Hello ${d.memberName},`],
          d.card
            ? [`The card on file for your “${d.planName}” membership is your ${card}. You can replace it with another card.`]
            : [`There is no card on file for your “${d.planName}” membership.`],
          d.amount
            ? ['The open amount of ', { strong: f.money(d.amount) }, d.card ? ' will be charged to the new card right after it is saved.' : ' will be charged to your card right after it is saved.']
            : ['Nothing is owed now; the card will be used for your future payments.'],
        ],
        facts,
        form: { button: 'Continue to the secure card page' },
        notes: [
          ["You will enter your card details on our payment provider's secure page, never on this site."],
          ['Changed your mind? Just close this page; nothing will change.'],
        ],
      };
    },
    update_payment_continue: (d) => ({
      title: 'Enter your card on the secure page',
      tone: 'neutral',
      paragraphs: [[`${d.memberName}, our payment provider's secure page is ready.`]],
      go: { label: 'Continue to the secure page', url: d.url },
      notes: [['Your card details are entered on that secure page, never on this site.']],
    }),
    update_payment_done: (d, f) => ({
      title: 'Thank you — nothing is owed now',
      tone: 'success',
      paragraphs: [
        [`Thank you, ${d.memberName}. Nothing is owed on your “${d.planName}” membership now.`],
        ...(d.card ? [[`The card on file is your ${f.brand(d.card.brand)} ending in ${d.card.last4}; it will be used for your future payments.`]] : []),
        ['You can close this page.'],
      ],
    }),
    notice_confirm: (d, f) => {
      const amount = f.money(d.next.amount);
      return {
        title: 'Your renewal notice',
        tone: 'neutral',
        paragraphs: [
          [`Hello ${d.memberName},`],
          [
            `Your “${d.planName}” membership ends on `,
            { strong: f.date(d.termEnd) },
            `. We propose to renew it: “${d.next.planName}”, from ${f.date(d.next.start)} to ${f.date(d.next.end)}, for `,
            { strong: amount },
            '.',
          ],
          ['If you accept, an invoice will be e-mailed to you; your new term starts when it is paid and your current term has ended.'],
          ...(d.changeRequested
            ? [['You have already asked for changes, and the team will contact you. You can still accept the renewal as offered, or write to us again below.']]
            : []),
        ],
        facts: [
          ['Current membership', d.planName],
          ['Current term ends on', f.date(d.termEnd)],
          ['Renewal plan', d.next.planName],
          ['New term', `${f.date(d.next.start)} to ${f.date(d.next.end)}`],
          ['Amount', amount],
        ],
        form: [
          { button: 'Accept the renewal', hidden: [['action', 'accept']] },
          {
            heading: 'Ask for changes',
            button: 'Send my request',
            secondary: true,
            hidden: [['action', 'change']],
            message: {
              label: 'What would you like to change?',
              hint: `For example another plan, other dates or a question about the amount (1,000 characters at most). ${f.org ? `The team at ${f.org}` : 'The team'} will contact you.`,
              error: d.error === 'message_required' ? 'Please write a message: tell us what you would like to change.' : undefined,
            },
          },
        ],
        notes: [[`Don’t wish to renew? Just let ${f.org ?? 'the organisation'} know by replying to the e-mail that contained this link.`]],
      };
    },
    notice_accepted: (d, f) => ({
      title: 'Thank you — your renewal is accepted',
      tone: 'success',
      paragraphs: [
        [`Thank you, ${d.memberName}! The renewal of your “${d.planName}” membership is accepted.`],
        ['An invoice for ', { strong: f.money(d.amount) }, ' was e-mailed to you. Once it is paid, your new term runs until ', { strong: f.date(d.newTermEnd) }, '.'],
      ],
      go: { label: 'Pay by card now', url: d.payUrl },
      notes: [['You can also pay later from the invoice e-mail, or reply to it to pay another way.']],
    }),
    notice_changes_sent: (d, f) => ({
      title: 'Your request was sent',
      tone: 'success',
      paragraphs: [
        [`Thank you, ${d.memberName}. Your request for changes to the renewal of your “${d.planName}” membership was sent to ${f.org ? `the team at ${f.org}` : 'the team in charge'}.`],
        ['They will contact you. Until then, nothing changes on your membership; you will receive a confirmation by e-mail.'],
      ],
    }),
    manage: (d, f) => {
      const { updatePaymentUrl, renewUrl, noticeUrl, cancelUrl, cancelMode } = d.actions;
      const items: Array<{ label: string; url: string; primary: boolean }> = [];
      if (updatePaymentUrl) items.push({ label: d.card ? 'Update my card' : d.owed ? 'Pay by card' : 'Add a card', url: updatePaymentUrl, primary: true });
      if (renewUrl) items.push({ label: 'Renew my membership', url: renewUrl, primary: true });
      if (noticeUrl) items.push({ label: 'Answer the renewal notice', url: noticeUrl, primary: true });
      if (cancelUrl) items.push({ label: cancelMode === 'request' ? 'Request cancellation' : 'Cancel my membership', url: cancelUrl, primary: false });
      return {
        title: 'Your membership',
        tone: 'neutral',
        paragraphs: [
          [`Hello ${d.memberName},`],
          [`Here is where your “${d.planName}” membership stands, with your latest invoices.`],
          ...(d.owed ? [['A balance of ', { strong: f.money(d.owed) }, updatePaymentUrl ? ' is owed. You can pay it by card right away.' : ' is owed.'] as Inline[]] : []),
        ],
        facts: [
          ['Membership', d.planName],
          ['Status', EN_MEMBERSHIP_STATUS[knownStatus(EN_MEMBERSHIP_STATUS, d.status)](d, f)],
          ['Current term', d.currentTerm.end ? `${f.date(d.currentTerm.start)} to ${f.date(d.currentTerm.end)}` : `From ${f.date(d.currentTerm.start)} (no end date)`],
          [
            'Next charge',
            d.nextCharge
              ? `${f.money(d.nextCharge.amount)} on ${f.date(d.nextCharge.date)}, ${d.nextCharge.card ? 'charged to your card' : 'invoice e-mailed'}`
              : 'None scheduled',
          ],
          ['Card on file', d.card ? `${f.brand(d.card.brand)} ending in ${d.card.last4} (expires ${f.expiry(d.card.expMonth, d.card.expYear)})` : 'No card on file'],
          ['Amount owed', d.owed ? f.money(d.owed) : 'None'],
        ],
        table: {
          caption: 'Your invoices, newest first',
          headers: [{ label: 'Date' }, { label: 'Period' }, { label: 'Amount', numeric: true }, { label: 'Status' }, { label: 'Paid on' }],
          rows: d.invoices.map((invoice) => [
            f.date(invoice.issueDate),
            invoice.periodEnd ? `${f.date(invoice.periodStart)} to ${f.date(invoice.periodEnd)}` : `from ${f.date(invoice.periodStart)}`,
            f.money(invoice.amount),
            EN_INVOICE_STATUS[knownStatus(EN_INVOICE_STATUS, invoice.status)],
            invoice.paidOn ? f.date(invoice.paidOn) : '—',
          ]),
          empty: 'No invoices yet.',
        },
        links: { heading: 'What would you like to do?', items },
        notes: items.length ? [['Each action opens its own page, where you confirm it; nothing changes before.']] : [],
      };
    },
  },
  errors: {
    invalid: {
      title: 'This link is not valid',
      body: ['This link is incomplete or has been altered. Open it again from the e-mail you received, making sure the whole address is there.', 'Nothing was changed on your membership.'],
    },
    expired: {
      title: 'This link has expired',
      body: ['For your security, links sent by e-mail only work for a limited time, and this one no longer does.', 'Nothing was changed on your membership.'],
    },
    used: {
      title: 'This link has already been used',
      body: [
        'This link works only once and it has already been used. If that was you, your choice was recorded and you should have received a confirmation by e-mail.',
        'Nothing more was changed.',
      ],
    },
    wrong_purpose: {
      title: 'This link is for a different action',
      body: ['This link was made for another action. Please use the matching button in the e-mail you received.', 'Nothing was changed on your membership.'],
    },
    unavailable: {
      title: 'Temporarily unavailable',
      body: ['The payment service did not answer; please try again in a few minutes with the same link. Nothing was charged.', 'Nothing was changed on your membership.'],
    },
    not_allowed: {
      title: 'This action is no longer available',
      body: [
        'Your membership has changed since the e-mail was sent (for example, it was already renewed or cancelled), so this action no longer applies.',
        'Nothing was changed on your membership.',
      ],
    },
  },
  contact: (org, replyTo) => [`Need help? Contact ${org} at `, { email: replyTo }, '.'],
  contactUnknown: 'Need help? Reply to the e-mail that contained this link; your message will reach the organisation.',
  footer: (org, replyTo) => [`Questions? Write to ${org} at `, { email: replyTo }, '.'],
};

const COPY: Record<Locale, PageCopy> = { 'fr-CA': FR, en: EN };

/**
 * The complete HTML document for a link page. `actionUrl` (the link's own URL: an absolute
 * http(s) URL or a path starting with `/`) is the form action of confirm views; other views
 * ignore it. Serve it with `Content-Security-Policy: PAGE_CSP`.
 */
export function renderPage(request: PageRequest, ctx: PageContext, actionUrl: string): string {
  const copy = COPY[ctx.locale];
  if (!copy) throw new RangeError(`no page copy for locale ${JSON.stringify(ctx.locale)}`);
  const branding = ctx.branding;
  const f: Fmt = {
    date: (date) => formatDate(date, ctx.locale),
    money: (money) => formatMoney(money, ctx.locale),
    brand: cardBrandName,
    expiry: (month, year) => `${String(month).padStart(2, '0')}/${year}`,
    org: branding?.organisationName ?? null,
  };

  let content: PageContent;
  if (request.view === 'error') {
    const error = copy.errors[request.data.reason];
    if (!error) throw new RangeError(`unknown link error reason ${JSON.stringify(request.data.reason)}`);
    const notes: Inline[][] = [];
    if (request.data.detail) notes.push([request.data.detail]);
    notes.push(branding ? copy.contact(branding.organisationName, branding.replyTo) : [copy.contactUnknown]);
    content = { title: error.title, tone: 'error', paragraphs: error.body.map((text) => [text]), notes };
  } else {
    const view = copy.views[request.view] as (data: PageData[typeof request.view], f: Fmt) => PageContent;
    content = view(request.data, f);
  }

  const e = escapeHtml;
  const main: string[] = [`<h1>${e(content.title)}</h1>`];
  for (const parts of content.paragraphs) main.push(`<p>${inlineHtml(parts)}</p>`);
  if (content.facts?.length) {
    main.push(`<dl>${content.facts.map(([label, value]) => `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`).join('')}</dl>`);
  }
  for (const form of [content.form ?? []].flat()) main.push(formHtml(form, actionUrl));
  if (content.go) main.push(`<p><a class="go" href="${e(checkedUrl(content.go.url))}">${e(content.go.label)}</a></p>`);
  if (content.table) {
    const { caption, headers, rows, empty } = content.table;
    const cls = (i: number) => (headers[i]?.numeric ? ' class="num"' : '');
    if (rows.length) {
      // A wide table scrolls inside its own region; the region is focusable so that a keyboard can scroll it.
      main.push(
        `<div class="scroll" role="region" aria-labelledby="table-caption" tabindex="0"><table>` +
          `<caption id="table-caption">${e(caption)}</caption>` +
          `<thead><tr>${headers.map((h, i) => `<th scope="col"${cls(i)}>${e(h.label)}</th>`).join('')}</tr></thead>` +
          `<tbody>${rows.map((row) => `<tr>${row.map((cell, i) => `<td${cls(i)}>${e(cell)}</td>`).join('')}</tr>`).join('')}</tbody>` +
          `</table></div>`,
      );
    } else {
      main.push(`<p>${e(empty)}</p>`);
    }
  }
  if (content.links?.items.length) {
    const items = content.links.items.map(
      (item) => `<li><a${item.primary ? ' class="go"' : ''} href="${e(checkedPageUrl(item.url))}">${e(item.label)}</a></li>`,
    );
    main.push(`<h2>${e(content.links.heading)}</h2>`, `<ul class="actions">${items.join('')}</ul>`);
  }
  for (const parts of content.notes ?? []) main.push(`<p class="note">${inlineHtml(parts)}</p>`);

  const header = branding ? `<header><p class="org">${e(branding.organisationName)}</p></header>\n` : '';
  const footer =
    branding && content.tone !== 'error' ? `\n<footer><p>${inlineHtml(copy.footer(branding.organisationName, branding.replyTo))}</p></footer>` : '';
  const title = branding ? `${content.title} – ${branding.organisationName}` : content.title;

  return `<!DOCTYPE html>
<html lang="${e(ctx.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="wrap">
${header}<main class="${content.tone}">
${main.join('\n')}
</main>${footer}
</div>
</body>
</html>
`;
}

function formHtml(form: PageForm, actionUrl: string): string {
  const e = escapeHtml;
  const heading = form.heading ? `<h2>${e(form.heading)}</h2>` : '';
  const hidden = (form.hidden ?? []).map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`).join('');
  const reason = form.reason
    ? `<label for="reason">${e(form.reason.label)}</label>` +
      `<textarea id="reason" name="reason" rows="4" maxlength="500" aria-describedby="reason-hint"></textarea>` +
      `<p class="hint" id="reason-hint">${e(form.reason.hint)}</p>`
    : '';
  let message = '';
  if (form.message) {
    const { label, hint, error } = form.message;
    // The error sits between the label and the field, and the field points to it (R-NOT-2).
    message =
      `<label for="message">${e(label)}</label>` +
      (error ? `<p class="field-error" id="message-error" role="alert">${e(error)}</p>` : '') +
      `<textarea id="message" name="message" rows="5" required maxlength="1000" aria-describedby="${error ? 'message-error ' : ''}message-hint"${error ? ' aria-invalid="true"' : ''}></textarea>` +
      `<p class="hint" id="message-hint">${e(hint)}</p>`;
  }
  const button = `<button type="submit"${form.secondary ? ' class="secondary"' : ''}>${e(form.button)}</button>`;
  return `${heading}<form method="post" action="${e(checkedPageUrl(actionUrl))}">${hidden}${reason}${message}${button}</form>`;
}

function inlineHtml(parts: Inline[]): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return escapeHtml(part);
      if ('strong' in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
      if ('link' in part) return `<a href="${escapeHtml(checkedUrl(part.url))}">${escapeHtml(part.link)}</a>`;
      return `<a href="${escapeHtml(mailtoUrl(part.email))}">${escapeHtml(part.email)}</a>`;
    })
    .join('');
}

/** A URL on this site: a root-relative path, or an absolute http(s) URL. */
function checkedPageUrl(url: string): string {
  if (url.startsWith('/') && !/^\/[/\\]/.test(url)) return url;
  return checkedUrl(url);
}
