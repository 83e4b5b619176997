import type { ReplanJob } from '../../../ports/store.js';
import { type Item, orgPk } from './keys.js';

/** One re-plan job per plan, in the organisation's partition; a newer plan edit overwrites it. */
export const jobKey = (orgId: string, planId: string) => ({ pk: orgPk(orgId), sk: `JOB#REPLAN#${planId}` });
export const jobItem = (j: ReplanJob): Item => ({ ...jobKey(j.orgId, j.planId), entity: 'replan_job', ...j });
