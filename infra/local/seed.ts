import type { Deps } from '../../shared/deps.js';
import type { Caller } from '../../shared/use-cases/context.js';
import { createMember } from '../../shared/use-cases/members.js';
import { createMembership } from '../../shared/use-cases/memberships.js';
import { createPlan } from '../../shared/use-cases/plans.js';
import { createRefusalReason } from '../../shared/use-cases/refusal-reasons.js';
import { putSettings } from '../../shared/use-cases/settings.js';

/** The demo organisation's administrator, the identity `POST /_local/token` signs for by default. */
export const DEMO_ADMIN = { orgId: 'demo-club', email: 'sophie@club.example' } as const;

/**
 * Seeds the demo organisation through the use cases (so it obeys every rule) when it has no
 * settings yet: a Quebec swim club with one plan per renewal policy (notice included) and a few members.
 */
export async function seedDemo(deps: Deps): Promise<boolean> {
  if (await deps.store.getSettings(DEMO_ADMIN.orgId)) return false;
  const caller: Caller = { orgId: DEMO_ADMIN.orgId, actor: { type: 'system', id: 'seed' } };
  await putSettings(deps, caller, {
    name: 'Club de natation de Laval',
    mainContactEmail: 'admin@club.example',
    sender: { name: 'Sophie Gagnon', email: DEMO_ADMIN.email },
    replyTo: 'membres@club.example',
    timeZone: 'America/Toronto',
    locale: 'fr-CA',
    jurisdiction: 'QC',
    branding: { primaryColor: '#0b5cad' },
  });
  const annual = await createPlan(deps, caller, {
    name: 'Adhésion annuelle',
    price: { amount: 2500, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
    cancellation: { memberMode: 'immediate' },
  });
  const season = await createPlan(deps, caller, {
    name: 'Saison estivale',
    price: { amount: 18000, currency: 'CAD' },
    termMonths: 4,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'confirmation', reminderDays: [14, 3] },
    cancellation: { memberMode: 'request' },
  });
  // R-REN-5, R-NOT-1: renewal by notice, 45 days before the year ends (move the local clock to see it).
  const corporate = await createPlan(deps, caller, {
    name: 'Membre corporatif',
    price: { amount: 45000, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 45, remindAfterDays: 7 } },
    cancellation: { memberMode: 'request' },
  });
  await createPlan(deps, caller, {
    name: 'Accès mensuel',
    price: { amount: 4000, currency: 'CAD' },
    billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
    cancellation: { memberMode: 'immediate' },
  });
  const people = [
    { name: 'Léa Tremblay', email: 'lea@example.org', communicationsOptIn: true, autoRenew: true, paymentMethod: { token: 'pm_card_visa' } },
    { name: 'Marc Bouchard', email: 'marc@example.org', communicationsOptIn: true, autoRenew: false, paymentMethod: { token: 'pm_card_chargeCustomerFail' } },
    { name: 'Chloé Roy', email: 'chloe@example.org', locale: 'en', communicationsOptIn: false, autoRenew: false },
    { name: 'Boulangerie Gagnon inc.', email: 'compta@boulangerie.example', communicationsOptIn: true, autoRenew: false, paymentMethod: { token: 'pm_card_visa' } },
  ];
  const members = [];
  for (const person of people) members.push(await createMember(deps, caller, person));
  await createMembership(deps, caller, { memberId: members[0]!.id, planId: annual.id });
  await createMembership(deps, caller, { memberId: members[1]!.id, planId: annual.id });
  await createMembership(deps, caller, { memberId: members[2]!.id, planId: season.id });
  await createMembership(deps, caller, { memberId: members[3]!.id, planId: corporate.id });
  // R-NOT-3: the reasons staff give when they refuse a renewal.
  await createRefusalReason(deps, caller, { label: 'Cotisation impayée', labels: { 'fr-CA': 'Cotisation impayée', en: 'Unpaid dues' } });
  await createRefusalReason(deps, caller, { label: 'Ne répond plus aux critères', labels: { 'fr-CA': 'Ne répond plus aux critères d’adhésion', en: 'No longer meets the membership criteria' } });
  return true;
}
