import { NotFoundError } from '../domain/errors.js';
import { type Member, memberInput, memberPatch, requireNotErased, type StoredPaymentMethod } from '../domain/member.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { searchKeys, searchPrefix, normalise } from '../domain/search.js';
import { ValidationError } from '../domain/errors.js';
import { committed, type Page, type PageRequest, type Write } from '../ports/store.js';
import { type Caller, checkExpectedVersion } from './context.js';
import { cardChange } from './gateway.js';
import { replanMemberships } from './membership-change.js';

type MemberDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'payments' | 'timers' | 'mailer' | 'config' | 'linkKeys'>;

export function listMembers(deps: Pick<Deps, 'store'>, caller: Caller, page: PageRequest): Promise<Page<Member>> {
  return deps.store.listMembers(caller.orgId, page);
}

/** R-CON-3: a member found by a search. */
export interface MemberMatch {
  id: string;
  name: string;
  email: string;
}

/**
 * R-CON-3: members whose name, a word of their name, or e-mail starts with `query` (case and
 * accents aside), in key order: one Query on the search keys. A member found by two of their
 * keys is listed once on a page.
 */
export async function searchMembers(deps: Pick<Deps, 'store'>, caller: Caller, query: string, page: PageRequest): Promise<Page<MemberMatch>> {
  const prefix = searchPrefix(query);
  if (prefix === null || prefix.length > 100) {
    throw new ValidationError('q must have 1 to 100 characters besides spaces', [{ field: 'q', message: 'from 1 to 100 characters' }]);
  }
  const found = await deps.store.searchMembers(caller.orgId, prefix, page);
  const seen = new Set<string>();
  const items: MemberMatch[] = [];
  for (const k of found.items) {
    if (seen.has(k.memberId)) continue;
    seen.add(k.memberId);
    items.push({ id: k.memberId, name: k.name, email: k.email });
  }
  return { items, nextCursor: found.nextCursor };
}

/** The writes that keep a member's search keys in step with its name and e-mail (R-CON-3). */
function searchWrites(before: Pick<Member, 'name' | 'email'> | null, after: Member): Write[] {
  if (before && before.name === after.name && before.email === after.email) return [];
  const keys = searchKeys(after);
  const gone = before ? searchKeys(before).filter((k) => !keys.includes(k)) : [];
  return [
    ...keys.map((key): Write => ({ kind: 'member_search', value: { orgId: after.orgId, memberId: after.id, key, name: after.name, email: after.email } })),
    ...gone.map((key): Write => ({ kind: 'member_search_delete', value: { orgId: after.orgId, memberId: after.id, key } })),
  ];
}

export interface MemberWarning {
  code: 'duplicate_email';
  message: string;
  memberIds: string[];
}

/**
 * R-CON-3: what staff should know about a member they just saved: another member with the same
 * e-mail address (case aside). A warning, not a refusal: a family may share an address.
 */
export async function memberWarnings(deps: Pick<Deps, 'store'>, member: Member): Promise<MemberWarning[]> {
  const email = normalise(member.email);
  const found = await deps.store.searchMembers(member.orgId, `${email}#`, { limit: 10 });
  const others = found.items.filter((k) => k.memberId !== member.id).map((k) => k.memberId);
  if (others.length === 0) return [];
  return [{ code: 'duplicate_email', message: `another member has the e-mail address ${member.email}`, memberIds: others }];
}

export async function getMember(deps: Pick<Deps, 'store'>, caller: Caller, memberId: string): Promise<Member> {
  const member = await deps.store.getMember(caller.orgId, memberId);
  if (!member) throw new NotFoundError('member', memberId);
  return member;
}

async function savePaymentMethod(
  deps: MemberDeps,
  member: Pick<Member, 'orgId' | 'id' | 'name' | 'email' | 'customerRef'>,
  token: string,
): Promise<StoredPaymentMethod> {
  const saved = await deps.payments.savePaymentMethod({
    orgId: member.orgId,
    memberId: member.id,
    customerRef: member.customerRef ?? null,
    name: member.name,
    email: member.email,
    token,
  });
  return { ...saved, addedAt: deps.clock.now().toISOString() };
}

/**
 * Input: the caller and a member document (optionally a gateway token for a card).
 * Output: the created member.
 * Steps: validate; have the gateway save the card (a refused token changes nothing); write.
 */
export async function createMember(deps: MemberDeps, caller: Caller, body: unknown): Promise<Member> {
  const input = parseInput(memberInput, body);
  const id = deps.newId('mbr');
  const paymentMethod = input.paymentMethod
    ? await savePaymentMethod(deps, { orgId: caller.orgId, id, name: input.name, email: input.email, customerRef: null }, input.paymentMethod.token)
    : null;
  const now = deps.clock.now().toISOString();
  const member: Member = {
    id,
    orgId: caller.orgId,
    name: input.name,
    email: input.email,
    locale: input.locale ?? null,
    communicationsOptIn: input.communicationsOptIn,
    autoRenew: input.autoRenew,
    intervention: { required: false, reason: null },
    paymentMethod,
    customerRef: paymentMethod?.customerRef ?? null,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.commit([{ kind: 'member', value: member }, ...searchWrites(null, member)]);
  return committed(member);
}

/**
 * Input: the caller, the member id, a partial member (opt-in, auto-renew, intervention flag and
 * reason, payment method, name, e-mail, locale), the version read (optional).
 * Output: the updated member.
 */
export async function patchMember(
  deps: MemberDeps,
  caller: Caller,
  memberId: string,
  body: unknown,
  expectedVersion?: number,
): Promise<Member> {
  const patch = parseInput(memberPatch, body);
  const existing = await getMember(deps, caller, memberId);
  requireNotErased(existing);
  checkExpectedVersion('member', memberId, existing.version, expectedVersion);
  const { paymentMethod, intervention, ...fields } = patch;
  const member: Member = { ...existing, ...fields, updatedAt: deps.clock.now().toISOString() };
  if (intervention) member.intervention = { required: intervention.required, reason: intervention.required ? intervention.reason! : null };
  if (paymentMethod === null) member.paymentMethod = null;
  else if (paymentMethod) {
    member.paymentMethod = await savePaymentMethod(deps, member, paymentMethod.token);
    member.customerRef = member.paymentMethod.customerRef;
  }
  const cardChanged = paymentMethod !== undefined && member.paymentMethod?.gatewayRef !== existing.paymentMethod?.gatewayRef;
  await deps.store.commit([
    { kind: 'member', value: member },
    ...searchWrites(existing, member),
    ...(cardChanged ? [cardChange(deps, member, member.paymentMethod ? 'saved' : 'removed')] : []),
  ]);
  const optInChanged = patch.communicationsOptIn !== undefined && patch.communicationsOptIn !== existing.communicationsOptIn;
  const heldChanged = intervention !== undefined && intervention.required !== existing.intervention.required;
  if (optInChanged || heldChanged) await replanMemberships(deps, caller, memberId);
  return committed(member);
}
