import { ConflictError, NotFoundError, RuleViolationError } from '../domain/errors.js';
import { ID_PATTERN } from '../domain/ids.js';
import { MAX_REFUSAL_REASONS, type RefusalReason, refusalReasonInput, refusalReasonPatch, sameLabel } from '../domain/refusal.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed } from '../ports/store.js';
import { type Caller, checkExpectedVersion } from './context.js';

/**
 * R-NOT-3: the organisation's refusal reasons. Staff add, rename and retire them; the list they
 * pick from when refusing a renewal is the reasons not retired. One Query reads them all.
 */
type ReasonDeps = Pick<Deps, 'store' | 'clock' | 'newId'>;

/** Active reasons in the order they were added; with `includeRetired`, the retired ones after them. */
export async function listRefusalReasons(deps: Pick<Deps, 'store'>, caller: Caller, includeRetired: boolean): Promise<RefusalReason[]> {
  const all = await deps.store.listRefusalReasons(caller.orgId);
  const active = all.filter((r) => !r.retired);
  return includeRetired ? [...active, ...all.filter((r) => r.retired)] : active;
}

export async function getRefusalReason(deps: Pick<Deps, 'store'>, caller: Caller, id: string): Promise<RefusalReason> {
  const reason = ID_PATTERN.test(id) ? await deps.store.getRefusalReason(caller.orgId, id) : null;
  if (!reason) throw new NotFoundError('refusal reason', id);
  return reason;
}

function refuseDuplicate(all: RefusalReason[], label: string, except: string | null): void {
  const twin = all.find((r) => !r.retired && r.id !== except && sameLabel(r.label, label));
  if (twin) {
    throw new ConflictError('refusal_reason_exists', `the reason "${twin.label}" (${twin.id}) already says this`, [{ field: 'label', message: `same as ${twin.id}` }]);
  }
}

/**
 * Input: `{ label, labels? }` (labels per locale, optional).
 * Output: the new reason (201).
 * Steps: refused (409) when an active reason has the same label (case, accents and spacing
 * aside); refused (422) beyond MAX_REFUSAL_REASONS.
 */
export async function createRefusalReason(deps: ReasonDeps, caller: Caller, body: unknown): Promise<RefusalReason> {
  const input = parseInput(refusalReasonInput, body);
  const all = await deps.store.listRefusalReasons(caller.orgId);
  refuseDuplicate(all, input.label, null);
  if (all.length >= MAX_REFUSAL_REASONS) {
    throw new RuleViolationError('R-NOT-3', `an organisation keeps at most ${MAX_REFUSAL_REASONS} refusal reasons; rename or reuse a retired one`, [
      { field: 'label', rule: 'R-NOT-3', message: `at most ${MAX_REFUSAL_REASONS} reasons` },
    ]);
  }
  const now = deps.clock.now().toISOString();
  const reason: RefusalReason = { id: deps.newId('rsn'), orgId: caller.orgId, label: input.label, labels: input.labels ?? {}, retired: false, version: 0, createdAt: now, updatedAt: now };
  await deps.store.commit([{ kind: 'refusal_reason', value: reason }]);
  return committed(reason);
}

/**
 * Input: the reason id, `{ label?, labels?, retired? }`, the version read (If-Match, optional).
 * Output: the updated reason. Retiring takes it off the list staff pick from; un-retiring puts it
 * back (refused if an active reason now has its label).
 */
export async function updateRefusalReason(deps: ReasonDeps, caller: Caller, id: string, body: unknown, expectedVersion?: number): Promise<RefusalReason> {
  const patch = parseInput(refusalReasonPatch, body);
  const existing = await getRefusalReason(deps, caller, id);
  checkExpectedVersion('refusal reason', id, existing.version, expectedVersion);
  const next: RefusalReason = {
    ...existing,
    ...(patch.label !== undefined ? { label: patch.label } : {}),
    ...(patch.labels !== undefined ? { labels: patch.labels } : {}),
    ...(patch.retired !== undefined ? { retired: patch.retired } : {}),
    updatedAt: deps.clock.now().toISOString(),
  };
  if (!next.retired) refuseDuplicate(await deps.store.listRefusalReasons(caller.orgId), next.label, id);
  await deps.store.commit([{ kind: 'refusal_reason', value: next }]);
  return committed(next);
}
