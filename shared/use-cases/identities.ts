import * as z from 'zod';
import { ConflictError, RuleViolationError } from '../domain/errors.js';
import { email } from '../domain/schema.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { IdentityExistsError, type IdentityStatus } from '../ports/identities.js';
import type { SenderIdentity } from '../ports/store.js';
import type { Caller } from './context.js';

/**
 * R-OPS-2: organisations send only from identities they verified. An owner starts the
 * verification of a domain (SES answers the three Easy DKIM CNAME records to publish) or of an
 * address (SES e-mails it a link); the table records which organisation owns which identity, and
 * PUT /api/settings refuses a sender that is neither on a verified identity of the organisation
 * nor on the deployment's own mail domain (`MAIL_DOMAIN`).
 */
type IdentityDeps = Pick<Deps, 'store' | 'clock' | 'identities' | 'config'>;

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{4,253}$)(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/, { message: 'must be a domain name such as club.example' });

export const identityInput = z.union([z.strictObject({ domain }), z.strictObject({ email: email.transform((e) => e.toLowerCase()) })]);

export interface IdentityView extends IdentityStatus {
  createdAt: string;
}

function sesOf(deps: IdentityDeps): NonNullable<Deps['identities']> {
  if (!deps.identities) throw new Error('no SES identities adapter is configured');
  return deps.identities;
}

/**
 * Input: `{ domain }` or `{ email }`. Output: the identity's status and, for a domain, the DKIM
 * records to publish. Asking again for an identity the organisation holds answers its status;
 * one SES already has for someone else is 409 `identity_in_use`.
 */
export async function startIdentity(deps: IdentityDeps, caller: Caller, body: unknown): Promise<{ created: boolean; identity: IdentityView }> {
  const input = parseInput(identityInput, body);
  const [name, type] = 'domain' in input ? [input.domain, 'domain' as const] : [input.email, 'email' as const];
  const held = (await deps.store.listIdentities(caller.orgId)).find((i) => i.identity === name);
  const ses = sesOf(deps);
  if (held) {
    const status = await ses.get(name);
    if (status) return { created: false, identity: { ...status, createdAt: held.createdAt } };
  }
  const inUse = () =>
    new ConflictError('identity_in_use', `R-OPS-2: ${name} is already an SES identity of this deployment; ask its operator`, [
      { rule: 'R-OPS-2', field: type, message: 'already an identity of this deployment' },
    ]);
  if (!held && (await ses.get(name))) throw inUse();
  let status: IdentityStatus;
  try {
    status = await ses.start(name, type);
  } catch (error) {
    if (error instanceof IdentityExistsError) throw inUse();
    throw error;
  }
  const createdAt = held?.createdAt ?? deps.clock.now().toISOString();
  if (!held) {
    const record: SenderIdentity = { orgId: caller.orgId, identity: name, type, createdAt, version: 0 };
    await deps.store.commit([{ kind: 'identity', value: record }]);
  }
  return { created: true, identity: { ...status, createdAt } };
}

/** The organisation's identities with SES's status of each (GET: reads only). */
export async function listIdentities(deps: IdentityDeps, caller: Caller): Promise<{ items: IdentityView[]; mailDomain: string | null }> {
  const held = await deps.store.listIdentities(caller.orgId);
  const items = await Promise.all(
    held.map(async (h): Promise<IdentityView> => {
      const status = await sesOf(deps).get(h.identity);
      return status ? { ...status, createdAt: h.createdAt } : { identity: h.identity, type: h.type, verified: false, verification: 'not_started', dkimRecords: [], createdAt: h.createdAt };
    }),
  );
  return { items, mailDomain: deps.config.MAIL_DOMAIN?.toLowerCase() ?? null };
}

/**
 * R-OPS-2: refuses (422) a sender that is neither on the deployment's mail domain nor on an
 * identity (its address or its domain) the organisation holds and SES verified. Without an
 * identities adapter (unit tests) nothing is checked.
 */
export async function checkSenderVerified(deps: Pick<IdentityDeps, 'store'> & Partial<Pick<IdentityDeps, 'identities' | 'config'>>, orgId: string, sender: string): Promise<void> {
  if (!deps.identities) return;
  const address = sender.trim().toLowerCase();
  const senderDomain = address.slice(address.lastIndexOf('@') + 1);
  const mailDomain = deps.config?.MAIL_DOMAIN?.toLowerCase();
  if (mailDomain && senderDomain === mailDomain) return;
  const held = (await deps.store.listIdentities(orgId)).filter((i) => i.identity === address || i.identity === senderDomain);
  for (const h of held) {
    if ((await deps.identities.get(h.identity))?.verified) return;
  }
  throw new RuleViolationError(
    'R-OPS-2',
    `R-OPS-2: the sender ${address} is not on an identity this organisation verified: POST /api/identities with { "domain": "${senderDomain}" } and publish its DKIM records, or with { "email": "${address}" } and follow SES's link`,
    [{ rule: 'R-OPS-2', field: 'sender.email', message: 'not a verified sending identity of the organisation' }],
  );
}
