import type { Plan } from '../../../domain/plan.js';
import { type Item, orgPk } from './keys.js';

/** Plans live in the organisation's partition: a handful per organisation, listed in one Query. */
export const planKey = (orgId: string, planId: string) => ({ pk: orgPk(orgId), sk: `PLAN#${planId}` });
export const PLAN_PREFIX = 'PLAN#';

export const planItem = (p: Plan): Item => ({ ...planKey(p.orgId, p.id), entity: 'plan', ...p });
