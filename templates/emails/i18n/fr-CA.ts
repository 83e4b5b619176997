import type { LocalDate } from '../../../shared/domain/calendar.js';
import type { Money } from '../../../shared/domain/schema.js';
import { paragraph as p, type Block, type Catalog, type Formatters } from '../content.js';
import type { DunningOutlook, TemplateData } from '../types.js';

/**
 * Canadian French copy (Quebec usage: « courriel », « abonnement », no space before ? ! ;,
 * a non-breaking space before a colon and inside « guillemets »).
 */

/**
 * Tag for French copy: puts non-breaking spaces inside « » and before ":" in the literal text
 * (never in the interpolated values).
 */
function fr(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, literal, i) => {
    const spaced = literal.replace(/« /g, '«\u00a0').replace(/ »/g, '\u00a0»').replace(/ :/g, '\u00a0:');
    return out + spaced + (i < values.length ? String(values[i]) : '');
  }, '');
}

const cadenceAmount = (f: Formatters, amount: Money, cadence: 'monthly' | 'upfront') =>
  cadence === 'monthly' ? `${f.money(amount)} par mois` : f.money(amount);

const greet = (name: string) => `Bonjour ${name},`;

/** Le tarif d'un abonnement avec son rythme : « 25,00 $ par mois », « 185,00 $ par période ». */
const pricePer = (f: Formatters, amount: Money, cadence: 'monthly' | 'upfront') =>
  `${f.money(amount)} ${cadence === 'monthly' ? 'par mois' : 'par période'}`;

const yourCard = (f: Formatters, card: { brand: string; last4: string } | null) =>
  card ? `votre carte ${f.card(card.brand, card.last4)}` : 'votre carte';

const period = (f: Formatters, start: LocalDate, end: LocalDate | null) =>
  end ? `du ${f.date(start)} au ${f.date(end)}` : `à partir du ${f.date(start)}`;

/** R-DUN-3 : ce que le membre perd si rien n'est payé à la date limite, en fin de phrase. */
function loss(f: Formatters, o: DunningOutlook, planName: string): string {
  const stop = f.date(o.stopDate ?? o.deadline);
  switch (o.finalAction) {
    case 'cancel':
      return fr`votre abonnement « ${planName} » prendra fin le ${stop}`;
    case 'downgrade':
      return o.fallback
        ? fr`votre abonnement passera de « ${planName} » à « ${o.fallback.planName} » au tarif de ${pricePer(f, o.fallback.amount, o.fallback.cadence)} à compter du ${stop}`
        : fr`votre abonnement passera de « ${planName} » à une formule réduite à compter du ${stop}`;
    case 'leave_unpaid':
      return 'la facture restera à payer et nous communiquerons avec vous à ce sujet';
  }
}

/** Les données clés d'un courriel de relance : le montant dû, le prochain essai, la date limite et ce qui change alors. */
function dunningFacts(
  f: Formatters,
  d: { planName: string; invoiceId: string; amount: Money; card: { brand: string; last4: string } | null },
  o: DunningOutlook,
  nextRetryOn: LocalDate | null,
): Block {
  const rows: Array<[string, string]> = [
    ['Abonnement', d.planName],
    ['Facture', d.invoiceId],
    ['Montant', f.money(d.amount)],
  ];
  if (d.card) rows.push(['Carte', f.card(d.card.brand, d.card.last4)]);
  if (nextRetryOn) rows.push(['Prochain essai', f.date(nextRetryOn)]);
  rows.push(['Date limite', f.date(o.deadline)]);
  const stop = f.date(o.stopDate ?? o.deadline);
  if (o.finalAction === 'cancel') rows.push(['Fin de l’abonnement', stop]);
  if (o.finalAction === 'downgrade') {
    if (o.fallback) rows.push(['Nouvel abonnement', `${o.fallback.planName} (${pricePer(f, o.fallback.amount, o.fallback.cadence)})`]);
    rows.push(['À compter du', stop]);
  }
  return { kind: 'facts', rows };
}

const UPDATE_CARD = 'Mettre à jour ma carte';
const APPROVE = 'Approuver le paiement';
const APPROVE_WHY = fr`Votre institution financière vous demande d’approuver vous-même ce paiement (une vérification de sécurité comme 3-D Secure). Cela prend une minute : rien n’est débité avant votre approbation.`;
const PAY_ANOTHER_WAY = 'Vous préférez payer autrement? Répondez simplement à ce courriel.';
/** R-DUN-3: every dunning e-mail carries the update-card link; beside the approve button, as a link in the text. */
const UPDATE_INSTEAD = (url: string) => p('Vous préférez utiliser une autre carte? ', { link: 'Mettre à jour ma carte', url }, 'Vous pouvez aussi répondre à ce courriel pour payer autrement.');

const RECEIPT_METHOD: Record<TemplateData['payment_receipt']['method'], [label: string, phrase: string]> = {
  card: ['Carte', ' par carte'],
  cheque: ['Chèque', ' par chèque'],
  transfer: ['Virement bancaire', ' par virement bancaire'],
  cash: ['Argent comptant', ' en argent comptant'],
  other: ['Autre', ''],
};

export const frCA: Catalog = {
  layout: {
    labelSeparator: '\u00a0: ',
    card: (brand, last4) => `${brand} se terminant par ${last4}`,
    signOff: 'Au plaisir,',
    staffSignature: (sender, org) => `Avis automatique envoyé au nom de ${sender}, ${org}.`,
    replyFooter: (audience) =>
      audience === 'member'
        ? [fr`Une question? Répondez simplement à ce courriel : votre message parviendra à `, '.']
        : ['Les réponses à ce courriel sont envoyées à ', '.'],
    whyFooter: (audience, org) =>
      audience === 'member'
        ? `Vous recevez ce courriel au sujet de votre abonnement auprès de l’organisme ${org}.`
        : `Vous recevez cet avis à titre de personne-ressource de l’organisme ${org}.`,
    buttonFallback: fr`Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :`,
    manageLink: 'Gérer mon abonnement',
    logoAlt: (org) => org,
  },

  templates: {
    reminder_automatic: (d, f) => {
      const org = f.branding.organisationName;
      const renewal = f.date(d.renewalDate);
      const charge = d.cardOnFile
        ? d.cadence === 'monthly'
          ? `Le prélèvement mensuel de ${f.money(d.amount)} se poursuivra sur votre carte ${f.card(d.cardOnFile.brand, d.cardOnFile.last4)}.`
          : `Le montant de ${f.money(d.amount)} sera porté à votre carte ${f.card(d.cardOnFile.brand, d.cardOnFile.last4)} le ${renewal}.`
        : d.cadence === 'monthly'
          ? fr`Aucune carte n’est enregistrée à votre dossier : vous recevrez une facture de ${f.money(d.amount)} par courriel chaque mois.`
          : fr`Aucune carte n’est enregistrée à votre dossier : une facture de ${f.money(d.amount)} vous sera envoyée par courriel.`;
      return {
        subject: fr`${org} : votre abonnement sera renouvelé le ${renewal}`,
        preheader: `Votre abonnement se renouvelle automatiquement le ${renewal}. Vous pouvez annuler d’ici là.`,
        heading: 'Votre abonnement sera renouvelé automatiquement',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`Votre abonnement « ${d.planName} » prend fin le ${f.date(d.termEnd)}. Il sera renouvelé automatiquement le `,
            { strong: renewal },
            `, pour une nouvelle période se terminant le ${f.date(d.newTermEnd)}.`,
          ),
          p(charge),
          {
            kind: 'facts',
            rows: [
              ['Abonnement', d.planName],
              ['Renouvellement', renewal],
              ['Nouvelle échéance', f.date(d.newTermEnd)],
              ['Montant', cadenceAmount(f, d.amount, d.cadence)],
              ['Paiement', d.cardOnFile ? `Carte ${f.card(d.cardOnFile.brand, d.cardOnFile.last4)}` : 'par facture'],
            ],
          },
          p('Vous souhaitez continuer? Vous n’avez rien à faire.'),
          p(
            'Si vous préférez ne pas renouveler, vous pouvez annuler ',
            { strong: `avant le ${renewal}` },
            ' avec le lien ci-dessous, qui ouvre une page où vous confirmerez votre choix.',
          ),
          { kind: 'button', label: 'Annuler mon abonnement', url: d.cancelUrl },
        ],
      };
    },

    reminder_confirmation: (d, f) => {
      const org = f.branding.organisationName;
      const termEnd = f.date(d.termEnd);
      return {
        subject: fr`${org} : renouvelez votre abonnement d’ici le ${termEnd}`,
        preheader: `Votre abonnement prend fin le ${termEnd}. Un clic suffit pour le renouveler.`,
        heading: 'Votre abonnement arrive à échéance',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`Votre abonnement « ${d.planName} » prend fin le `,
            { strong: termEnd },
            `. Pour le prolonger jusqu’au ${f.date(d.newTermEnd)}, suivez le lien ci-dessous et confirmez.`,
          ),
          p(
            d.cadence === 'monthly'
              ? `Votre facturation mensuelle de ${f.money(d.amount)} se poursuivra.`
              : `Le renouvellement coûte ${f.money(d.amount)} pour la nouvelle période.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Abonnement', d.planName],
              ['Échéance actuelle', termEnd],
              ['Nouvelle échéance', f.date(d.newTermEnd)],
              ['Montant', cadenceAmount(f, d.amount, d.cadence)],
            ],
          },
          { kind: 'button', label: 'Renouveler mon abonnement', url: d.renewUrl },
          p(`Sans renouvellement, votre abonnement expirera le ${termEnd}.`),
        ],
      };
    },

    renewal_confirmation: (d, f) => {
      const org = f.branding.organisationName;
      const newEnd = f.date(d.newTermEnd);
      const payment = d.charged
        ? `Nous avons porté ${f.money(d.charged.amount)} à votre carte ${f.card(d.charged.brand, d.charged.last4)}.`
        : d.cadence === 'monthly'
          ? 'Votre facturation mensuelle se poursuit comme avant.'
          : 'Si un paiement est dû, vous recevrez une facture dans un courriel distinct.';
      const rows: Array<[string, string]> = [
        ['Abonnement', d.planName],
        ['Nouvelle période', `du ${f.date(d.newTermStart)} au ${newEnd}`],
        ['Nouvelle échéance', newEnd],
      ];
      if (d.charged) rows.push(['Montant payé', f.money(d.charged.amount)]);
      return {
        subject: fr`${org} : votre abonnement est renouvelé jusqu’au ${newEnd}`,
        preheader: `Merci! Votre abonnement est renouvelé jusqu’au ${newEnd}.`,
        heading: 'Votre abonnement est renouvelé',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`Merci de votre fidélité! Votre abonnement « ${d.planName} » est renouvelé du ${f.date(d.newTermStart)} au `,
            { strong: newEnd },
            '.',
          ),
          p(payment),
          { kind: 'facts', rows },
        ],
      };
    },

    expired: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: fr`${org} : votre abonnement a pris fin`,
        preheader: `Votre abonnement a pris fin le ${f.date(d.termEnd)}. Vous pouvez vous réinscrire en tout temps.`,
        heading: 'Votre abonnement a pris fin',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(fr`Votre abonnement « ${d.planName} » a pris fin le `, { strong: f.date(d.termEnd) }, '. Merci d’avoir fait partie de nos membres!'),
          p(
            fr`Vous pouvez vous réinscrire en tout temps : répondez simplement à ce courriel ou écrivez-nous à `,
            { email: f.branding.replyTo },
            ', et nous vous aiderons avec plaisir.',
          ),
        ],
      };
    },

    invoice: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const due = f.date(d.dueDate);
      const blocks: Block[] = [];
      const here = d.resent ? 'Voici de nouveau votre facture' : 'Voici la facture';
      blocks.push(
        p(
          d.renewal
            ? fr`${here} pour le renouvellement de votre abonnement « ${d.planName} ».`
            : fr`${here} de votre versement mensuel pour l’abonnement « ${d.planName} ».`,
        ),
        {
          kind: 'facts',
          rows: [
            ['Facture', d.invoiceId],
            ['Abonnement', d.planName],
            ['Période', period(f, d.periodStart, d.periodEnd)],
            ['Montant', amount],
            ['Date d’échéance', due],
          ],
        },
      );
      if (d.payUrl) {
        blocks.push(
          p('Vous pouvez la payer par carte en une minute avec le bouton ci-dessous, sans avoir à vous connecter.'),
          { kind: 'button', label: 'Payer par carte', url: d.payUrl },
          p(
            'Pour payer autrement, répondez à ce courriel ou écrivez à ',
            { email: d.replyTo },
            fr` : nous vous indiquerons les autres modes de paiement acceptés. Merci d’inclure le numéro de facture ${d.invoiceId}.`,
          ),
        );
      } else {
        blocks.push(
          p(
            'Pour payer, répondez simplement à ce courriel ou écrivez à ',
            { email: d.replyTo },
            fr` : nous vous indiquerons les modes de paiement acceptés. Merci d’inclure le numéro de facture ${d.invoiceId}.`,
          ),
        );
      }
      return {
        subject: fr`${org} : votre facture de ${amount} est payable d’ici le ${due}`,
        preheader: fr`Facture ${d.invoiceId} : ${amount}, payable d’ici le ${due}.`,
        heading: d.renewal ? 'Votre facture de renouvellement' : 'Votre facture mensuelle',
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
          ? fr`${org} : rappel – avis de renouvellement de votre abonnement « ${d.planName} »`
          : fr`${org} : avis de renouvellement de votre abonnement « ${d.planName} »`,
        preheader: reminder
          ? `Votre avis de renouvellement attend toujours votre réponse. Votre abonnement prend fin le ${termEnd}.`
          : `Votre abonnement prend fin le ${termEnd}. Acceptez le renouvellement ou demandez des modifications en une minute.`,
        heading: reminder ? fr`Rappel : votre avis de renouvellement` : 'Votre avis de renouvellement',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            ...(reminder ? [fr`Rappel : votre avis de renouvellement attend toujours votre réponse. `] : []),
            fr`Votre abonnement « ${d.planName} » prend fin le `,
            { strong: termEnd },
            fr`. Nous vous proposons de le renouveler pour la période suivante :`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Abonnement actuel', d.planName],
              ['Fin de la période actuelle', termEnd],
              ['Abonnement proposé', d.next.planName],
              ['Nouvelle période', `du ${f.date(d.next.start)} au ${f.date(d.next.end)}`],
              ['Montant', amount],
            ],
          },
          p('Le bouton ci-dessous vous permet d’accepter le renouvellement ou, si quelque chose doit changer, de nous indiquer quoi.'),
          { kind: 'button', label: 'Répondre à l’avis', url: d.answerUrl },
          p(
            `Une fois le renouvellement accepté, nous vous enverrons par courriel une facture de ${amount}. La nouvelle période commencera lorsque la facture sera payée et que votre période actuelle aura pris fin.`,
          ),
          p('Si vous ne souhaitez pas renouveler, répondez simplement à ce courriel pour nous en informer.'),
        ],
      };
    },

    notice_change_received: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: fr`${org} : nous avons bien reçu votre demande de modification`,
        preheader: 'Notre équipe communiquera avec vous au sujet de votre renouvellement. D’ici là, rien ne change.',
        heading: 'Demande de modification reçue',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(fr`Nous avons bien reçu votre demande de modification du renouvellement de votre abonnement « ${d.planName} ».`),
          { kind: 'quote', label: 'Votre message', text: d.message },
          p('Un membre de notre équipe communiquera avec vous à ce sujet. D’ici là, rien ne change à votre abonnement.'),
          p('Vous souhaitez ajouter une précision? Répondez simplement à ce courriel.'),
        ],
      };
    },

    notice_change_requested_org: (d, f) => {
      const org = f.branding.organisationName;
      const termEnd = f.date(d.termEnd);
      return {
        subject: fr`${org} : ${d.memberName} demande des modifications à son renouvellement`,
        preheader: `${d.memberName} demande des modifications au renouvellement de son abonnement. Votre réponse est requise.`,
        heading: 'Avis de renouvellement à traiter',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) demande des modifications au renouvellement de son abonnement `,
            fr`« ${d.planName} », dont la période actuelle prend fin le ${termEnd}.`,
          ),
          p(
            'Rien ne change tant que vous n’avez pas agi. Dans l’avis, vous pouvez modifier la prochaine période et l’approuver, ou refuser le renouvellement; le membre sera avisé par courriel.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Membre', d.memberName],
              ['Courriel', d.memberEmail],
              ['Abonnement', d.planName],
              ['Fin de la période actuelle', termEnd],
            ],
          },
          { kind: 'quote', label: 'Message du membre', text: d.message },
          { kind: 'button', label: 'Ouvrir l’avis', url: d.noticeUrl },
        ],
      };
    },

    notice_refused: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.lastDay);
      return {
        subject: fr`${org} : votre abonnement « ${d.planName} » ne sera pas renouvelé`,
        preheader: `Votre abonnement prend fin le ${last}. Au plaisir de vous revoir parmi nous.`,
        heading: 'Votre abonnement ne sera pas renouvelé',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(fr`Nous avons pris note que vous ne renouvelez pas votre abonnement « ${d.planName} ». Il prend fin le `, { strong: last }, ' inclusivement.'),
          p(fr`Aucun montant ne vous sera facturé : aucune facture ne sera émise pour une nouvelle période.`),
          {
            kind: 'facts',
            rows: [
              ['Abonnement', d.planName],
              ['Dernier jour de l’abonnement', last],
            ],
          },
          p(
            fr`Merci d’avoir fait partie de nos membres! Il nous fera plaisir de vous accueillir de nouveau plus tard : répondez simplement à ce courriel, y compris si vous pensez qu’il s’agit d’une erreur.`,
          ),
        ],
      };
    },

    cancellation_by_admin: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      const rows: Array<[string, string]> = [
        ['Abonnement', d.planName],
        ['Dernier jour d’accès', last],
      ];
      if (d.lastBillingDate) rows.push(['Dernière facturation', f.date(d.lastBillingDate)]);
      return {
        subject: fr`${org} : votre abonnement a été annulé`,
        preheader: `Votre abonnement est annulé. Vous y avez accès jusqu’au ${last} inclusivement.`,
        heading: 'Votre abonnement a été annulé',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`${org} a annulé votre abonnement « ${d.planName} ». Vous y aurez accès jusqu’au `,
            { strong: last },
            ' inclusivement.',
          ),
          p(
            d.lastBillingDate
              ? `Une dernière facturation aura lieu le ${f.date(d.lastBillingDate)}; aucun autre montant ne vous sera facturé ensuite.`
              : 'Aucun autre paiement ne vous sera demandé.',
          ),
          { kind: 'facts', rows },
          p('Si vous pensez qu’il s’agit d’une erreur, répondez simplement à ce courriel.'),
        ],
      };
    },

    cancellation_confirmed_member: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      return {
        subject: fr`${org} : l’annulation de votre abonnement est confirmée`,
        preheader: `Annulation confirmée. Vous avez accès jusqu’au ${last} inclusivement.`,
        heading: 'Votre annulation est confirmée',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`Nous confirmons l’annulation de votre abonnement « ${d.planName} ». Vous y aurez accès jusqu’au `,
            { strong: last },
            ' inclusivement, et aucun autre paiement ne vous sera demandé.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Abonnement', d.planName],
              ['Dernier jour d’accès', last],
            ],
          },
          p('Nous sommes tristes de vous voir partir et espérons vous revoir bientôt parmi nous.'),
        ],
      };
    },

    cancellation_notice_org: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      return {
        subject: fr`${org} : ${d.memberName} a annulé son abonnement`,
        preheader: `${d.memberName} a annulé son abonnement; dernier jour d’accès le ${last}.`,
        heading: 'Un membre a annulé son abonnement',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) a annulé son abonnement `,
            fr`« ${d.planName} » à partir du lien reçu par courriel. L’accès prend fin le ${last} inclusivement; aucune facturation n’aura lieu après.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Membre', d.memberName],
              ['Courriel', d.memberEmail],
              ['Abonnement', d.planName],
              ['Dernier jour d’accès', last],
            ],
          },
          ...(d.reason ? [{ kind: 'quote' as const, label: 'Motif indiqué', text: d.reason }] : []),
          { kind: 'button', label: 'Voir l’abonnement', url: d.membershipUrl },
        ],
      };
    },

    cancellation_request_org: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: fr`${org} : ${d.memberName} demande l’annulation de son abonnement`,
        preheader: `${d.memberName} demande l’annulation de son abonnement. Votre décision est requise.`,
        heading: 'Demande d’annulation à traiter',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            ` (${d.memberEmail}) demande l’annulation de son abonnement `,
            fr`« ${d.planName} ». La demande a été reçue le ${f.date(d.requestedOn)}.`,
          ),
          p(
            'L’abonnement reste en place jusqu’à votre décision. Vous pouvez accepter la demande en choisissant la date de la dernière facturation, ou la refuser; le membre sera avisé par courriel.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Membre', d.memberName],
              ['Courriel', d.memberEmail],
              ['Abonnement', d.planName],
              ['Date de la demande', f.date(d.requestedOn)],
            ],
          },
          ...(d.reason ? [{ kind: 'quote' as const, label: 'Motif indiqué', text: d.reason }] : []),
          { kind: 'button', label: 'Traiter la demande', url: d.membershipUrl },
        ],
      };
    },

    cancellation_request_received: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: fr`${org} : nous avons bien reçu votre demande d’annulation`,
        preheader: 'Votre demande sera examinée par notre équipe; nous vous répondrons par courriel.',
        heading: 'Demande d’annulation reçue',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(fr`Nous avons bien reçu votre demande d’annulation de l’abonnement « ${d.planName} ».`),
          p(
            'Un membre de notre équipe l’examinera et vous écrira pour confirmer la suite, y compris la date de fin de votre abonnement. D’ici là, rien ne change à votre abonnement.',
          ),
          p('Vous souhaitez ajouter une précision? Répondez simplement à ce courriel.'),
        ],
      };
    },

    cancellation_request_accepted: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      const rows: Array<[string, string]> = [['Abonnement', d.planName]];
      if (d.finalBillingDate) rows.push(['Dernière facturation', f.date(d.finalBillingDate)]);
      rows.push(['Dernier jour d’accès', last]);
      return {
        subject: fr`${org} : votre demande d’annulation est acceptée`,
        preheader: `Votre abonnement prendra fin le ${last}.`,
        heading: 'Votre demande d’annulation est acceptée',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`Votre demande d’annulation de l’abonnement « ${d.planName} » a été acceptée. Vous y aurez accès jusqu’au `,
            { strong: last },
            ' inclusivement.',
          ),
          p(
            d.finalBillingDate
              ? `La dernière facturation est celle du ${f.date(d.finalBillingDate)}; aucun montant ne vous sera facturé après cette date.`
              : 'Aucun autre paiement ne vous sera demandé.',
          ),
          { kind: 'facts', rows },
          p('Merci d’avoir fait partie de nos membres; nous espérons vous revoir bientôt!'),
        ],
      };
    },

    cancellation_request_declined: (d, f) => {
      const org = f.branding.organisationName;
      const blocks: Block[] = [
        p(
          fr`Après examen, nous ne pouvons pas donner suite à votre demande d’annulation de l’abonnement « ${d.planName} ». Votre abonnement se poursuit normalement.`,
        ),
      ];
      if (d.reason) blocks.push({ kind: 'quote', label: 'Motif', text: d.reason });
      blocks.push(p(fr`Pour en discuter, répondez simplement à ce courriel : nous vous répondrons avec plaisir.`));
      return {
        subject: fr`${org} : votre demande d’annulation n’a pas été acceptée`,
        preheader: 'Votre abonnement se poursuit. Répondez à ce courriel pour en discuter.',
        heading: 'Réponse à votre demande d’annulation',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks,
      };
    },

    payment_failed: (d, f) => {
      const org = f.branding.organisationName;
      const card = f.card(d.card.brand, d.card.last4);
      const amount = f.money(d.amount);
      const declined = p('Nous avons tenté de porter ', { strong: amount }, fr` à votre ${card} pour votre abonnement « ${d.planName} », et le paiement a été refusé.`);
      const subject = fr`${org} : nous n’avons pas pu débiter votre carte pour votre abonnement`;
      const heading = 'Votre paiement n’a pas été accepté';
      const facts: Block = {
        kind: 'facts',
        rows: [
          ['Abonnement', d.planName],
          ['Facture', d.invoiceId],
          ['Montant', amount],
          ['Carte', card],
        ],
      };

      // Courriel mis en file avant la relance : ni date limite à donner, ni lien pour changer de carte.
      if (!d.outlook || !d.updatePaymentUrl) {
        return {
          subject,
          preheader: `Le paiement de ${amount} pour votre abonnement n’a pas été accepté.`,
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
                      ? fr`Votre institution financière a refusé cette carte de façon définitive; nous ne la débiterons plus. Pour conserver votre abonnement, veuillez nous fournir une autre carte : répondez simplement à ce courriel.`
                      : 'Nous réessaierons dans quelques jours. Si les renseignements de votre carte ont changé, ou pour payer autrement, répondez simplement à ce courriel.',
                  ),
                ]),
            facts,
          ],
        };
      }

      // R-DUN-3, courriel 1 : montant, prochain essai, date limite, ce qui est perdu, un seul bouton.
      const o = d.outlook;
      const deadline = f.date(o.deadline);
      const blocks: Block[] = [declined];
      if (d.authenticateUrl) {
        blocks.push(
          p(APPROVE_WHY),
          p('Veuillez l’approuver d’ici le ', { strong: deadline }, `. Si le paiement n’est pas fait d’ici là, ${loss(f, o, d.planName)}.`),
          { kind: 'button', label: APPROVE, url: d.authenticateUrl },
          dunningFacts(f, d, o, null),
          UPDATE_INSTEAD(d.updatePaymentUrl),
        );
      } else {
        blocks.push(
          p(
            d.hardDecline
              ? fr`Votre institution financière a refusé cette carte de façon définitive; nous ne la débiterons plus : seule une nouvelle carte permettra de régler le paiement.`
              : d.nextRetryOn
                ? `Nous réessaierons le ${f.date(d.nextRetryOn)}. Si votre carte est expirée ou a été remplacée, la mettre à jour dès maintenant évitera un nouveau refus.`
                : 'Nous réessaierons dans quelques jours. Si votre carte est expirée ou a été remplacée, la mettre à jour dès maintenant évitera un nouveau refus.',
          ),
          p('Pour conserver votre abonnement, mettez à jour votre carte d’ici le ', { strong: deadline }, `. Si le paiement n’est pas fait d’ici là, ${loss(f, o, d.planName)}.`),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
          dunningFacts(f, d, o, d.hardDecline ? null : (d.nextRetryOn ?? null)),
          p(PAY_ANOTHER_WAY),
        );
      }
      return {
        subject,
        preheader: `Le paiement de ${amount} pour votre abonnement n’a pas été accepté. Veuillez ${d.authenticateUrl ? 'l’approuver' : 'mettre à jour votre carte'} d’ici le ${deadline}.`,
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
      const act = approve ? 'approuver le paiement' : 'mettre à jour votre carte';
      const Act = approve ? 'Approuvez le paiement' : 'Mettez à jour votre carte';
      const acting = approve ? 'En approuvant le paiement' : 'En mettant à jour votre carte';
      const step = d.followUp <= 1 ? 1 : d.followUp === 2 ? 2 : 3;

      let subject: string;
      let heading: string;
      let opening: Block;
      let action: Block;
      if (step === 1) {
        subject = fr`${org} : votre paiement n’a toujours pas été accepté`;
        heading = 'Votre paiement n’a toujours pas été accepté';
        opening = d.hardDecline
          ? p('Le paiement de ', { strong: amount }, fr` pour votre abonnement « ${d.planName} » n’a toujours pas été fait.`)
          : p(
              'Nous avons tenté de nouveau de porter ',
              { strong: amount },
              fr` à ${yourCard(f, d.card)} pour votre abonnement « ${d.planName} », mais le paiement n’a toujours pas été accepté.${approve ? '' : fr` Cela arrive : souvent, la carte est expirée, a été remplacée ou a atteint sa limite.`}`,
            );
        action = p(fr`Cela ne prend qu’une minute : il suffit de ${act} d’ici le `, { strong: deadline }, `. Si le paiement n’est pas fait d’ici là, ${lost}.`);
      } else if (step === 2) {
        subject = d.outlook.finalAction === 'leave_unpaid' ? fr`${org} : votre paiement de ${amount} est toujours dû` : fr`${org} : ne perdez pas votre abonnement « ${d.planName} »`;
        heading = d.outlook.finalAction === 'leave_unpaid' ? 'Votre facture est toujours impayée' : 'Ne perdez pas votre abonnement';
        opening = p('Nous n’avons toujours pas pu percevoir ', { strong: amount }, fr` pour votre abonnement « ${d.planName} », et le temps file.`);
        action = p('Si le paiement n’est pas fait d’ici le ', { strong: deadline }, `, ${lost}. ${acting} maintenant, tout reste comme avant.`);
      } else {
        subject = fr`${org} : ${amount} à payer d’ici le ${deadline}`;
        heading = 'Votre paiement est toujours dû';
        opening = p('Le montant de ', { strong: amount }, fr` pour votre abonnement « ${d.planName} » reste impayé.`);
        action = p(`${Act} d’ici le `, { strong: deadline }, `. Ensuite, ${lost}.`);
      }

      const blocks: Block[] = [opening];
      if (approve) blocks.push(p(APPROVE_WHY));
      if (d.hardDecline) {
        blocks.push(p(fr`Votre institution financière a refusé ${yourCard(f, d.card)} de façon définitive; nous ne pouvons plus la débiter : seule une nouvelle carte permettra de régler le paiement.`));
      } else if (d.nextRetryOn && !approve) {
        blocks.push(p(`Nous réessaierons le ${f.date(d.nextRetryOn)}.`));
      }
      blocks.push(
        action,
        d.authenticateUrl ? { kind: 'button', label: APPROVE, url: d.authenticateUrl } : { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
        dunningFacts(f, d, d.outlook, d.hardDecline || approve ? null : d.nextRetryOn),
      );
      if (approve) blocks.push(UPDATE_INSTEAD(d.updatePaymentUrl));
      else if (step < 3) blocks.push(p(PAY_ANOTHER_WAY));
      return {
        subject,
        preheader: `Le paiement de ${amount} pour votre abonnement est toujours dû. Veuillez ${act} d’ici le ${deadline}.`,
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
      const lastTry = `Nous tenterons une dernière fois de débiter ${yourCard(f, d.card)} le ${deadline}. Si ce paiement échoue, `;
      let subject: string;
      let outcome: Block;
      switch (o.finalAction) {
        case 'cancel':
          subject = fr`${org} : dernier avertissement – votre abonnement prendra fin le ${stop}`;
          outcome = p(lastTry, fr`votre abonnement « ${d.planName} » prendra fin le `, { strong: stop }, '.');
          break;
        case 'downgrade':
          subject = fr`${org} : dernier avertissement – votre abonnement changera le ${stop}`;
          outcome = o.fallback
            ? p(
                lastTry,
                fr`votre abonnement passera de « ${d.planName} » à « ${o.fallback.planName} » au tarif de ${pricePer(f, o.fallback.amount, o.fallback.cadence)} à compter du `,
                { strong: stop },
                fr`, et vous perdrez les avantages de l’abonnement « ${d.planName} ».`,
              )
            : p(lastTry, fr`votre abonnement passera de « ${d.planName} » à une formule réduite à compter du `, { strong: stop }, '.');
          break;
        case 'leave_unpaid':
          subject = fr`${org} : dernier avertissement – dernière tentative de paiement le ${deadline}`;
          outcome = p(
            'La dernière tentative automatique aura lieu le ',
            { strong: deadline },
            fr`. Ensuite, nous ne débiterons plus votre carte : nous ferons le suivi avec vous directement, et la facture restera à payer.`,
          );
          break;
      }
      return {
        subject,
        preheader: fr`Dernier avertissement : ${amount} reste impayé. Veuillez mettre à jour votre carte d’ici le ${deadline}.`,
        heading: 'Dernier avertissement',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(fr`Ceci est notre dernier avertissement : nous n’avons toujours pas pu percevoir `, { strong: amount }, fr` pour votre abonnement « ${d.planName} ».`),
          outcome,
          p('Mettre à jour votre carte ne prend qu’une minute, et nous réessayons le paiement immédiatement.'),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
          dunningFacts(f, d, o, null),
          p('C’est déjà réglé, ou vous préférez payer autrement? Répondez simplement à ce courriel.'),
        ],
      };
    },

    dunning_cancelled: (d, f) => {
      const org = f.branding.organisationName;
      const last = f.date(d.terminationDate);
      return {
        subject: fr`${org} : votre abonnement a été annulé`,
        preheader: `La facture ${d.invoiceId} n’a pas pu être payée. Votre abonnement prend fin le ${last}.`,
        heading: 'Votre abonnement a été annulé',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            'Malgré plusieurs tentatives, nous n’avons pas pu percevoir ',
            { strong: f.money(d.amount) },
            fr` pour la facture ${d.invoiceId}. Votre abonnement « ${d.planName} » a donc été annulé : il prend fin le `,
            { strong: last },
            '.',
          ),
          {
            kind: 'facts',
            rows: [
              ['Abonnement', d.planName],
              ['Facture', d.invoiceId],
              ['Montant impayé', f.money(d.amount)],
              ['Fin de l’abonnement', last],
            ],
          },
          p(
            fr`Nous serions heureux de vous revoir parmi nous. Pour vous réinscrire, ou si vous pensez qu’il s’agit d’une erreur, répondez simplement à ce courriel : nous trouverons une solution avec vous.`,
          ),
        ],
      };
    },

    dunning_downgraded: (d, f) => {
      const org = f.branding.organisationName;
      const from = f.date(d.effectiveDate);
      const price = pricePer(f, d.fallbackAmount, d.cadence);
      return {
        subject: fr`${org} : votre abonnement passe à « ${d.fallbackPlanName} »`,
        preheader: fr`La facture ${d.invoiceId} n’a pas pu être payée. À compter du ${from}, votre abonnement est « ${d.fallbackPlanName} », au tarif de ${price}.`,
        heading: 'Votre abonnement a changé',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            'Malgré plusieurs tentatives, nous n’avons pas pu percevoir ',
            { strong: f.money(d.amount) },
            fr` pour la facture ${d.invoiceId}. Pour que vous restiez membre, votre abonnement passe de « ${d.planName} » à « ${d.fallbackPlanName} » à compter du `,
            { strong: from },
            '.',
          ),
          p(`Votre nouveau tarif est de ${price}.`),
          {
            kind: 'facts',
            rows: [
              ['Ancien abonnement', d.planName],
              ['Nouvel abonnement', d.fallbackPlanName],
              ['À compter du', from],
              ['Nouveau tarif', price],
              ['Facture impayée', `${d.invoiceId} (${f.money(d.amount)})`],
            ],
          },
          p(fr`Pour revenir à l’abonnement « ${d.planName} », répondez simplement à ce courriel : nous vous aiderons avec plaisir.`),
        ],
      };
    },

    dunning_unpaid_org: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const tries = d.tries === 1 ? 'une tentative automatique' : `${d.tries} tentatives automatiques`;
      const rows: Array<[string, string]> = [
        ['Membre', d.memberName],
        ['Courriel', d.memberEmail],
        ['Abonnement', d.planName],
        ['Facture', d.invoiceId],
        ['Montant', amount],
        ['Tentatives automatiques', String(d.tries)],
      ];
      if (d.lastDeclineCode) rows.push(['Dernier refus', d.lastDeclineCode]);
      return {
        subject: fr`${org} : ${d.memberName} – la facture ${d.invoiceId} reste impayée`,
        preheader: fr`${d.memberName} : ${amount} n’a pas pu être perçu après ${tries}.`,
        heading: 'Une facture reste impayée',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            fr` (${d.memberEmail}) : le paiement de ${amount} pour son abonnement « ${d.planName} » a échoué après ${tries}. La facture est maintenant marquée comme irrécouvrable et l’abonnement reste en souffrance; aucune autre tentative ne sera faite automatiquement.`,
          ),
          p('Vous pouvez communiquer avec le membre, ou enregistrer un paiement reçu autrement (chèque, virement, argent comptant).'),
          { kind: 'facts', rows },
          { kind: 'button', label: 'Voir l’abonnement', url: d.membershipUrl },
        ],
      };
    },

    payment_receipt: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const [methodLabel, methodPhrase] = RECEIPT_METHOD[d.method];
      const card = d.method === 'card' && d.card ? f.card(d.card.brand, d.card.last4) : null;
      const rows: Array<[string, string]> = [
        ['Facture', d.invoiceId],
        ['Abonnement', d.planName],
        ['Période', period(f, d.periodStart, d.periodEnd)],
        ['Montant payé', amount],
        ['Date du paiement', f.date(d.paidOn)],
        ['Mode de paiement', card ? `Carte ${card}` : methodLabel],
      ];
      if (d.reference) rows.push(['Référence', d.reference]);
      return {
        subject: fr`${org} : reçu pour votre paiement de ${amount}`,
        preheader: `Nous avons bien reçu votre paiement de ${amount}. Merci!`,
        heading: 'Merci pour votre paiement',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            `Nous avons bien reçu le ${f.date(d.paidOn)} votre paiement de `,
            { strong: amount },
            fr`${card ? ` avec votre carte ${card}` : methodPhrase} pour votre abonnement « ${d.planName} ». Merci!`,
          ),
          { kind: 'facts', rows },
          p('Veuillez conserver ce courriel comme reçu.'),
        ],
      };
    },

    card_expiring: (d, f) => {
      const org = f.branding.organisationName;
      const card = f.card(d.card.brand, d.card.last4);
      const expires = f.date(d.expiresOn);
      const rows: Array<[string, string]> = [
        ['Abonnement', d.planName],
        ['Carte', card],
        ['Date d’expiration', expires],
      ];
      if (d.nextChargeOn) rows.push(['Prochain paiement', f.date(d.nextChargeOn)]);
      if (d.nextChargeOn && d.nextChargeAmount) rows.push(['Montant', f.money(d.nextChargeAmount)]);
      return {
        subject: d.today ? fr`${org} : votre carte expire aujourd’hui` : fr`${org} : votre carte expire le ${expires}`,
        preheader: d.today
          ? 'La carte enregistrée pour votre abonnement expire aujourd’hui. Veuillez nous donner votre nouvelle carte.'
          : `La carte enregistrée pour votre abonnement expire le ${expires}. Veuillez nous donner votre nouvelle carte.`,
        heading: d.today ? 'Votre carte expire aujourd’hui' : 'Votre carte expire bientôt',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(fr`Votre carte ${card}, enregistrée pour votre abonnement « ${d.planName} », expire `, { strong: d.today ? `aujourd’hui, le ${expires}` : `le ${expires}` }, '.'),
          p(
            d.nextChargeOn
              ? `Votre prochain paiement${d.nextChargeAmount ? ` de ${f.money(d.nextChargeAmount)}` : ''} est prévu le ${f.date(d.nextChargeOn)}. Pour qu’il soit accepté et que votre abonnement se poursuive sans interruption, veuillez nous donner votre nouvelle carte d’ici là.`
              : 'Pour que votre abonnement se poursuive sans interruption, veuillez nous donner votre nouvelle carte.',
          ),
          p('Cela ne prend qu’une minute, sans avoir à vous connecter.'),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
          { kind: 'facts', rows },
        ],
      };
    },

    card_request: (d, f) => {
      const org = f.branding.organisationName;
      const card = d.card ? f.card(d.card.brand, d.card.last4) : null;
      return {
        subject: card ? fr`${org} : veuillez nous donner votre nouvelle carte` : fr`${org} : veuillez nous donner une carte pour votre abonnement`,
        preheader: card
          ? `Remplacez la carte ${card} enregistrée pour votre abonnement en une minute, sur une page sécurisée.`
          : 'Ajoutez une carte pour votre abonnement en une minute, sur une page sécurisée.',
        heading: card ? 'Une nouvelle carte pour votre abonnement' : 'Une carte pour votre abonnement',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            card
              ? fr`${org} vous demande de remplacer la carte ${card} enregistrée pour votre abonnement « ${d.planName} ».`
              : fr`${org} vous demande de donner une carte pour votre abonnement « ${d.planName} », afin que ses paiements se fassent automatiquement.`,
          ),
          p('La carte se saisit sur la page sécurisée de notre fournisseur de paiement; cela ne prend qu’une minute, sans avoir à vous connecter. Ce que votre abonnement doit encore est payé aussitôt avec elle.'),
          { kind: 'button', label: UPDATE_CARD, url: d.updatePaymentUrl },
        ],
      };
    },

    email_undeliverable_org: (d, f) => {
      const org = f.branding.organisationName;
      const about = { renewal: 'son renouvellement', notice: 'son avis de renouvellement', dunning: 'un paiement dû' }[d.kind];
      const why = {
        bounced: 'son serveur de courriel l’a refusé définitivement (rebond permanent)',
        complained: 'le membre a signalé un courriel précédent comme indésirable',
        suppressed: 'l’adresse est sur la liste de suppression du service d’envoi après un rebond permanent ou une plainte',
      }[d.reason];
      const rows: [string, string][] = [
        ['Membre', d.memberName],
        ['Courriel', d.memberEmail],
        ['Abonnement', d.planName],
      ];
      if (d.subject) rows.push(['Courriel non livré', d.subject]);
      if (d.detail) rows.push(['Motif signalé', d.detail]);
      return {
        subject: fr`${org} : un courriel au sujet de ${about} n’a pas joint ${d.memberName}`,
        preheader: fr`${d.memberName} (${d.memberEmail}) n’a pas reçu un courriel au sujet de ${about}; veuillez le joindre autrement.`,
        heading: 'Un courriel n’a pas joint un membre',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            fr` (${d.memberEmail}) n’a pas reçu un courriel au sujet de ${about} pour son abonnement « ${d.planName} » : ${why}. Plus aucun courriel ne part vers cette adresse. Veuillez joindre le membre autrement (par téléphone, en personne) et corriger son adresse dans la console si elle est erronée : les courriels repartent alors.`,
          ),
          { kind: 'facts', rows },
          { kind: 'button', label: 'Voir l’abonnement', url: d.membershipUrl },
        ],
      };
    },

    card_expiring_org: (d, f) => {
      const org = f.branding.organisationName;
      const card = f.card(d.card.brand, d.card.last4);
      const when = d.today ? 'aujourd’hui' : `le ${f.date(d.expiresOn)}`;
      return {
        subject: fr`${org} : ${d.memberName} – la carte enregistrée expire ${when}`,
        preheader: fr`${d.memberName} : la carte enregistrée expire ${when}; le membre a été invité à en fournir une nouvelle.`,
        heading: 'La carte d’un membre expire bientôt',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            fr` (${d.memberEmail}) : la carte ${card} enregistrée pour son abonnement « ${d.planName} » expire ${when}. Le membre a été invité par courriel à fournir une nouvelle carte; aucune action n’est requise de votre part, sauf si vous souhaitez faire un suivi.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Membre', d.memberName],
              ['Courriel', d.memberEmail],
              ['Abonnement', d.planName],
              ['Carte', card],
              ['Date d’expiration', f.date(d.expiresOn)],
            ],
          },
          { kind: 'button', label: 'Voir l’abonnement', url: d.membershipUrl },
        ],
      };
    },

    invoice_reminder: (d, f) => {
      const org = f.branding.organisationName;
      const amount = f.money(d.amount);
      const due = f.date(d.dueDate);
      const first = d.reminder <= 1;
      return {
        subject: first ? fr`${org} : rappel – facture ${d.invoiceId} de ${amount}` : fr`${org} : ${d.reminder}e rappel – facture ${d.invoiceId} de ${amount}`,
        preheader: `La facture ${d.invoiceId} (${amount}, payable d’ici le ${due}) est toujours impayée. Vous pouvez la payer par carte en une minute.`,
        heading: first ? 'Un rappel au sujet de votre facture' : fr`${d.reminder}e rappel : votre facture est toujours impayée`,
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            first ? fr`Petit rappel : la facture ${d.invoiceId} de ` : fr`Ceci est notre ${d.reminder}e rappel : la facture ${d.invoiceId} de `,
            { strong: amount },
            fr` pour votre abonnement « ${d.planName} » (payable d’ici le ${due}) est toujours impayée.`,
          ),
          p(fr`Le plus simple est de payer par carte avec le bouton ci-dessous : cela prend une minute, sans avoir à vous connecter.`),
          { kind: 'button', label: 'Payer par carte', url: d.payUrl },
          {
            kind: 'facts',
            rows: [
              ['Facture', d.invoiceId],
              ['Abonnement', d.planName],
              ['Période', period(f, d.periodStart, d.periodEnd)],
              ['Montant', amount],
              ['Date d’échéance', due],
            ],
          },
          p(
            'Vous préférez payer autrement? Répondez simplement à ce courriel ou écrivez à ',
            { email: d.replyTo },
            `, en mentionnant la facture ${d.invoiceId}. Si vous avez déjà payé, merci, et ne tenez pas compte de ce rappel.`,
          ),
        ],
      };
    },

    payment_failed_org: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: fr`${org} : un paiement automatique de ${d.memberName} a échoué`,
        preheader: `${f.money(d.amount)} de ${d.memberName} a été refusé (${d.declineCode}).`,
        heading: 'Un paiement automatique a échoué',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            fr` (${d.memberEmail}) : le paiement automatique de ${f.money(d.amount)} pour son abonnement « ${d.planName} » a été refusé${d.hardDecline ? ' de façon définitive; la carte ne sera plus débitée' : ''}. Le membre en a été avisé.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Membre', d.memberName],
              ['Courriel', d.memberEmail],
              ['Abonnement', d.planName],
              ['Facture', d.invoiceId],
              ['Montant', f.money(d.amount)],
              ['Refus', d.declineCode],
            ],
          },
          { kind: 'button', label: 'Voir l’abonnement', url: d.membershipUrl },
        ],
      };
    },

    dispute_opened_org: (d, f) => {
      const org = f.branding.organisationName;
      return {
        subject: fr`${org} : ${d.memberName} conteste un paiement auprès de sa banque`,
        preheader: fr`${f.money(d.amount)} est contesté (${d.reason}); répondez depuis votre tableau de bord Stripe.`,
        heading: 'Un paiement est contesté',
        greeting: 'Bonjour,',
        audience: 'staff',
        blocks: [
          p(
            { strong: d.memberName },
            fr` (${d.memberEmail}) a demandé à sa banque d’annuler le paiement de ${f.money(d.amount)} de son abonnement « ${d.planName} ». Stripe retient le montant jusqu’à la décision de la banque; vous pouvez envoyer vos preuves depuis votre tableau de bord Stripe, où le litige porte la référence ${d.disputeReference}.`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Membre', d.memberName],
              ['Courriel', d.memberEmail],
              ['Abonnement', d.planName],
              ['Facture', d.invoiceId],
              ['Montant', f.money(d.amount)],
              ['Motif', d.reason],
              ['Litige', d.disputeReference],
            ],
          },
          { kind: 'button', label: 'Voir l’abonnement', url: d.membershipUrl },
        ],
      };
    },

    membership_voided: (d, f) => {
      const org = f.branding.organisationName;
      const rows: Array<[string, string]> = [
        ['Abonnement', d.planName],
        ['Facture annulée', d.invoiceId],
        ['Montant de la facture', f.money(d.amount)],
      ];
      if (d.refunded) rows.push(['Remboursement', f.money(d.refunded)]);
      return {
        subject: fr`${org} : votre abonnement et la facture ${d.invoiceId} ont été annulés`,
        preheader: d.refunded
          ? `Votre abonnement est annulé et ${f.money(d.refunded)} vous est remboursé.`
          : 'Votre abonnement et sa facture ont été annulés.',
        heading: 'Votre abonnement a été annulé',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            fr`Votre abonnement « ${d.planName} » a été annulé, ainsi que la facture ${d.invoiceId} de ${f.money(d.amount)}. `,
            { strong: 'L’abonnement prend fin immédiatement' },
            '; la facture demeure à votre dossier, marquée comme annulée.',
          ),
          p(
            d.refunded
              ? `Un remboursement de ${f.money(d.refunded)} a été émis vers votre mode de paiement. Selon votre institution financière, il peut prendre quelques jours ouvrables à apparaître.`
              : 'Aucun remboursement n’a été émis pour cette facture. Si vous croyez qu’un montant vous est dû, répondez simplement à ce courriel.',
          ),
          { kind: 'facts', rows },
        ],
      };
    },
  },
};
