import type { Money } from '../../../shared/domain/schema.js';
import { paragraph as p, type Block, type Catalog, type Formatters } from '../content.js';

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
      const period = d.periodEnd ? `du ${f.date(d.periodStart)} au ${f.date(d.periodEnd)}` : `à partir du ${f.date(d.periodStart)}`;
      return {
        subject: fr`${org} : votre facture de ${amount} est payable d’ici le ${due}`,
        preheader: fr`Facture ${d.invoiceId} : ${amount}, payable d’ici le ${due}.`,
        heading: d.renewal ? 'Votre facture de renouvellement' : 'Votre facture mensuelle',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p(
            d.renewal
              ? fr`Voici la facture pour le renouvellement de votre abonnement « ${d.planName} ».`
              : fr`Voici la facture de votre versement mensuel pour l’abonnement « ${d.planName} ».`,
          ),
          {
            kind: 'facts',
            rows: [
              ['Facture', d.invoiceId],
              ['Abonnement', d.planName],
              ['Période', period],
              ['Montant', amount],
              ['Date d’échéance', due],
            ],
          },
          p(
            'Pour payer, répondez simplement à ce courriel ou écrivez à ',
            { email: d.replyTo },
            fr` : nous vous indiquerons les modes de paiement acceptés. Merci d’inclure le numéro de facture ${d.invoiceId}.`,
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
      return {
        subject: fr`${org} : nous n’avons pas pu débiter votre carte pour votre abonnement`,
        preheader: `Le paiement de ${f.money(d.amount)} pour votre abonnement n’a pas été accepté.`,
        heading: 'Votre paiement n’a pas été accepté',
        greeting: greet(d.memberName),
        audience: 'member',
        blocks: [
          p('Nous avons tenté de porter ', { strong: f.money(d.amount) }, fr` à votre ${card} pour votre abonnement « ${d.planName} », et le paiement a été refusé.`),
          ...(d.authenticateUrl
            ? [
                p(fr`Votre institution financière vous demande d’approuver vous-même ce paiement (une vérification de sécurité comme 3-D Secure). Cela prend une minute : rien n’est débité avant votre approbation.`),
                { kind: 'button' as const, label: 'Approuver le paiement', url: d.authenticateUrl },
              ]
            : [
                p(
                  d.hardDecline
                    ? 'Votre institution financière a refusé cette carte de façon définitive; nous ne la débiterons plus. Pour conserver votre abonnement, veuillez nous fournir une autre carte : répondez simplement à ce courriel.'
                    : 'Nous réessaierons dans quelques jours. Si les renseignements de votre carte ont changé, ou pour payer autrement, répondez simplement à ce courriel.',
                ),
              ]),
          {
            kind: 'facts',
            rows: [
              ['Abonnement', d.planName],
              ['Facture', d.invoiceId],
              ['Montant', f.money(d.amount)],
              ['Carte', card],
            ],
          },
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
