import middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { INVOICE_STATUSES } from '../../shared/domain/invoice.js';
import { MEMBERSHIP_STATUSES } from '../../shared/domain/membership.js';
import { NotFoundError } from '../../shared/domain/errors.js';
import { parseInput } from '../../shared/domain/validate.js';
import {
  emailView,
  invoiceView,
  memberView,
  membershipRecordView,
  membershipView,
  pageView,
  planView,
  refusalReasonView,
  settingsView,
  termView,
  timelineEventView,
} from '../../shared/adapters/http/representations.js';
import { type ApiEvent, callerOf, expectedVersion, jsonBody, pageOf, requireOwner } from '../../shared/adapters/http/request.js';
import { Router } from '../../shared/adapters/http/router.js';
import type { Deps } from '../../shared/deps.js';
import type { Caller } from '../../shared/use-cases/context.js';
import { dunningSummary, listDunning, recordPayment, requestCard, resendInvoice } from '../../shared/use-cases/collection.js';
import { getInvoice, listInvoices } from '../../shared/use-cases/invoices.js';
import { createMember, getMember, listMembers, memberWarnings, patchMember, searchMembers } from '../../shared/use-cases/members.js';
import {
  cancelByAdmin,
  previewAdminCancellation,
  previewVoid,
  confirmCancellationRequest,
  declineCancellationRequest,
  voidInvoice,
} from '../../shared/use-cases/cancellation.js';
import {
  changeTermEnd,
  createMembership,
  getMembershipRecord,
  listMembershipsByStatus,
  listMembershipsOfMember,
  listOfMembership,
  membershipCounts,
} from '../../shared/use-cases/memberships.js';
import { createPlan, getPlan, listPlans, updatePlan } from '../../shared/use-cases/plans.js';
import { createRefusalReason, getRefusalReason, listRefusalReasons, updateRefusalReason } from '../../shared/use-cases/refusal-reasons.js';
import { getSettings, putSettings } from '../../shared/use-cases/settings.js';
import { approveNotice, bulkNotices, editNotice, getNotice, listBoard, noticeRowView, noticeView, refuseNotice, remindNotice, resetNotice } from '../../shared/use-cases/notices.js';
import { getGateway, putGateway, startCardSetup } from '../../shared/use-cases/gateway.js';
import { listIdentities, startIdentity } from '../../shared/use-cases/identities.js';
import { eraseMember } from '../../shared/use-cases/privacy.js';
import { deleteWebhook, getWebhook, putWebhook, rotateWebhookSecret } from '../../shared/use-cases/webhooks-out.js';
import { type ExportKind, exportCsv } from '../../shared/use-cases/exports.js';
import { httpErrors, json, withEtag } from './http.js';

/** The query of `GET /api/memberships/{id}`. */
const recordQuery = z.strictObject({ consistent: z.enum(['true', 'false']).optional() });

/** R-PRV-2: a CSV export; owners only: a whole list of members' personal data leaves the system. */
async function csvExport(deps: Deps, caller: Caller, event: ApiEvent, kind: ExportKind): Promise<APIGatewayProxyResultV2> {
  requireOwner(caller);
  const out = await exportCsv(deps, caller, kind, event.queryStringParameters ?? {});
  const headers: Record<string, string> = {
    ...(json(200, null) as { headers: Record<string, string> }).headers,
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${out.filename}"`,
    'x-row-count': String(out.rows),
  };
  if (out.nextCursor) {
    const query = new URLSearchParams({ ...(event.queryStringParameters ?? {}), cursor: out.nextCursor });
    headers['x-next-cursor'] = out.nextCursor;
    headers.link = `<${event.rawPath}?${query.toString()}>; rel="next"`;
  }
  return { statusCode: 200, headers, body: out.body };
}

type Route = (deps: Deps, caller: Caller, event: ApiEvent, params: Record<string, string>) => Promise<APIGatewayProxyResultV2>;

/** The admin JSON API (SPEC §8). Each route parses, calls one use case, maps the result. */
export const routes = new Router<Route>()
  .add('GET', '/api/settings', async (deps, caller) => {
    const settings = await getSettings(deps, caller);
    if (!settings) throw new NotFoundError('settings of organisation', caller.orgId);
    return withEtag(200, settingsView(settings));
  })
  .add('PUT', '/api/settings', async (deps, caller, event) => {
    requireOwner(caller);
    return withEtag(200, settingsView(await putSettings(deps, caller, jsonBody(event), expectedVersion(event))));
  })
  .add('GET', '/api/plans', async (deps, caller) => json(200, { items: (await listPlans(deps, caller)).map(planView) }))
  .add('POST', '/api/plans', async (deps, caller, event) => withEtag(201, planView(await createPlan(deps, caller, jsonBody(event)))))
  .add('GET', '/api/plans/{planId}', async (deps, caller, _e, p) => withEtag(200, planView(await getPlan(deps, caller, p.planId!))))
  .add('PUT', '/api/plans/{planId}', async (deps, caller, event, p) =>
    withEtag(200, planView(await updatePlan(deps, caller, p.planId!, jsonBody(event), expectedVersion(event)))),
  )
  .add('GET', '/api/members', async (deps, caller, event) => {
    const { q, ...page } = pageOf(event, { q: z.string().optional() });
    if (q !== undefined) return json(200, { q, ...(await searchMembers(deps, caller, q as string, page)) });
    return json(200, pageView(await listMembers(deps, caller, page), memberView));
  })
  .add('POST', '/api/members', async (deps, caller, event) => {
    const member = await createMember(deps, caller, jsonBody(event));
    return withEtag(201, { ...memberView(member), warnings: await memberWarnings(deps, member) });
  })
  .add('GET', '/api/members/{memberId}', async (deps, caller, _e, p) => withEtag(200, memberView(await getMember(deps, caller, p.memberId!))))
  .add('PATCH', '/api/members/{memberId}', async (deps, caller, event, p) => {
    const body = jsonBody(event);
    const member = await patchMember(deps, caller, p.memberId!, body, expectedVersion(event));
    // One Query for the duplicate e-mail warning, only when the e-mail was sent.
    const emailSent = typeof body === 'object' && body !== null && 'email' in body;
    return withEtag(200, { ...memberView(member), warnings: emailSent ? await memberWarnings(deps, member) : [] });
  })
  .add('POST', '/api/members/{memberId}/erase', async (deps, caller, event, p) => {
    // R-PRV-1: owners only (irreversible; the organisation's person in charge of personal information decides).
    requireOwner(caller);
    const outcome = await eraseMember(deps, caller, p.memberId!, jsonBody(event));
    return withEtag(200, { ...memberView(outcome.member), erasure: { erased: outcome.erased, gatewayCustomer: outcome.gatewayCustomer, memberships: outcome.memberships } });
  })
  .add('POST', '/api/members/{memberId}/card-setup', async (deps, caller, _e, p) => json(201, await startCardSetup(deps, caller, p.memberId!)))
  .add('GET', '/api/gateway', async (deps, caller) => {
    requireOwner(caller);
    return withEtag(200, await getGateway(deps, caller));
  })
  .add('PUT', '/api/gateway', async (deps, caller, event) => {
    requireOwner(caller);
    return withEtag(200, await putGateway(deps, caller, jsonBody(event), expectedVersion(event)));
  })
  // R-OPS-2: the organisation's sending identities (owners only, R-CON-5).
  .add('GET', '/api/identities', async (deps, caller) => {
    requireOwner(caller);
    return json(200, await listIdentities(deps, caller));
  })
  .add('POST', '/api/identities', async (deps, caller, event) => {
    requireOwner(caller);
    const { created, identity } = await startIdentity(deps, caller, jsonBody(event));
    return json(created ? 201 : 200, identity);
  })
  // R-EVT-1: the organisation's outbound webhook of domain events (owners only, R-CON-5); the secret is answered by PUT and rotate only.
  .add('GET', '/api/webhook', async (deps, caller) => {
    requireOwner(caller);
    return json(200, await getWebhook(deps, caller));
  })
  .add('PUT', '/api/webhook', async (deps, caller, event) => {
    requireOwner(caller);
    return json(200, await putWebhook(deps, caller, jsonBody(event)));
  })
  .add('DELETE', '/api/webhook', async (deps, caller) => {
    requireOwner(caller);
    await deleteWebhook(deps, caller);
    return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
  })
  .add('POST', '/api/webhook/rotate', async (deps, caller) => {
    requireOwner(caller);
    return json(200, await rotateWebhookSecret(deps, caller));
  })
  .add('GET', '/api/members/{memberId}/memberships', async (deps, caller, event, p) =>
    json(200, pageView(await listMembershipsOfMember(deps, caller, p.memberId!, pageOf(event)), membershipView)),
  )
  .add('POST', '/api/memberships', async (deps, caller, event) =>
    withEtag(201, membershipRecordView(await createMembership(deps, caller, jsonBody(event)))),
  )
  .add('GET', '/api/memberships', async (deps, caller, event) => {
    const { status, ...page } = pageOf(event, { status: z.enum(MEMBERSHIP_STATUSES) });
    return json(200, pageView(await listMembershipsByStatus(deps, caller, status as (typeof MEMBERSHIP_STATUSES)[number], page), membershipView));
  })
  .add('GET', '/api/memberships/counts', async (deps, caller) => json(200, await membershipCounts(deps, caller)))
  .add('GET', '/api/memberships/{membershipId}', async (deps, caller, event, p) => {
    // Issue 13: a plain read is eventually consistent (2 read units whatever the age); a client
    // that must see its own change this instant asks `?consistent=true` (twice the units).
    const { consistent } = parseInput(recordQuery, event.queryStringParameters ?? {}, 'query string');
    return withEtag(200, membershipRecordView(await getMembershipRecord(deps, caller, p.membershipId!, { consistent: consistent === 'true' })));
  })
  .add('GET', '/api/memberships/{membershipId}/terms', async (deps, caller, event, p) => {
    const { membership, page } = await listOfMembership(deps, caller, p.membershipId!, 'terms', pageOf(event));
    return json(200, pageView(page, (t) => termView(t, membership)));
  })
  .add('GET', '/api/memberships/{membershipId}/invoices', async (deps, caller, event, p) =>
    json(200, pageView((await listOfMembership(deps, caller, p.membershipId!, 'invoices', pageOf(event))).page, invoiceView)),
  )
  .add('GET', '/api/memberships/{membershipId}/timeline', async (deps, caller, event, p) =>
    json(200, pageView((await listOfMembership(deps, caller, p.membershipId!, 'timeline', pageOf(event))).page, timelineEventView)),
  )
  .add('GET', '/api/memberships/{membershipId}/emails', async (deps, caller, event, p) =>
    json(200, pageView((await listOfMembership(deps, caller, p.membershipId!, 'emails', pageOf(event))).page, emailView)),
  )
  .add('PATCH', '/api/memberships/{membershipId}', async (deps, caller, event, p) =>
    withEtag(200, membershipRecordView(await changeTermEnd(deps, caller, p.membershipId!, jsonBody(event), expectedVersion(event)))),
  )
  .add('GET', '/api/memberships/{membershipId}/cancel', async (deps, caller, event, p) =>
    json(200, await previewAdminCancellation(deps, caller, p.membershipId!, event.queryStringParameters ?? {})),
  )
  .add('POST', '/api/memberships/{membershipId}/cancel', async (deps, caller, event, p) =>
    withEtag(200, membershipRecordView(await cancelByAdmin(deps, caller, p.membershipId!, jsonBody(event)))),
  )
  .add('POST', '/api/memberships/{membershipId}/card-request', async (deps, caller, _e, p) =>
    withEtag(202, membershipRecordView(await requestCard(deps, caller, p.membershipId!))),
  )
  .add('POST', '/api/memberships/{membershipId}/cancellation-request/confirm', async (deps, caller, event, p) =>
    withEtag(200, membershipRecordView(await confirmCancellationRequest(deps, caller, p.membershipId!, jsonBody(event)))),
  )
  .add('POST', '/api/memberships/{membershipId}/cancellation-request/decline', async (deps, caller, event, p) =>
    withEtag(200, membershipRecordView(await declineCancellationRequest(deps, caller, p.membershipId!, event.body ? jsonBody(event) : {}))),
  )
  .add('GET', '/api/invoices', async (deps, caller, event) => {
    const { status, ...page } = pageOf(event, { status: z.enum(INVOICE_STATUSES).default('open') });
    return json(200, pageView(await listInvoices(deps, caller, status as (typeof INVOICE_STATUSES)[number], page), invoiceView));
  })
  .add('GET', '/api/invoices/{invoiceId}', async (deps, caller, _e, p) => withEtag(200, invoiceView(await getInvoice(deps, caller, p.invoiceId!))))
  .add('GET', '/api/invoices/{invoiceId}/void', async (deps, caller, event, p) => json(200, await previewVoid(deps, caller, p.invoiceId!, event.queryStringParameters ?? {})))
  .add('POST', '/api/invoices/{invoiceId}/void', async (deps, caller, event, p) => withEtag(200, invoiceView(await voidInvoice(deps, caller, p.invoiceId!, jsonBody(event)))))
  .add('POST', '/api/invoices/{invoiceId}/pay', async (deps, caller, event, p) => withEtag(200, invoiceView(await recordPayment(deps, caller, p.invoiceId!, jsonBody(event)))))
  .add('POST', '/api/invoices/{invoiceId}/resend', async (deps, caller, _e, p) => withEtag(202, invoiceView(await resendInvoice(deps, caller, p.invoiceId!))))
  .add('GET', '/api/refusal-reasons', async (deps, caller, event) => {
    const { retired } = parseInput(z.strictObject({ retired: z.enum(['include', 'exclude']).default('exclude') }), event.queryStringParameters ?? {}, 'query string');
    return json(200, { items: (await listRefusalReasons(deps, caller, retired === 'include')).map(refusalReasonView) });
  })
  .add('POST', '/api/refusal-reasons', async (deps, caller, event) => withEtag(201, refusalReasonView(await createRefusalReason(deps, caller, jsonBody(event)))))
  .add('GET', '/api/refusal-reasons/{reasonId}', async (deps, caller, _e, p) => withEtag(200, refusalReasonView(await getRefusalReason(deps, caller, p.reasonId!))))
  .add('PATCH', '/api/refusal-reasons/{reasonId}', async (deps, caller, event, p) =>
    withEtag(200, refusalReasonView(await updateRefusalReason(deps, caller, p.reasonId!, jsonBody(event), expectedVersion(event)))),
  )
  .add('GET', '/api/renewals', async (deps, caller, event) => {
    const { board, ...page } = pageOf(event, { board: z.string().optional() });
    return json(200, { board: board ?? 'active', ...pageView(await listBoard(deps, caller, { board: board as string | undefined, ...page }), noticeRowView) });
  })
  .add('POST', '/api/renewals/bulk', async (deps, caller, event) => json(200, await bulkNotices(deps, caller, jsonBody(event))))
  .add('GET', '/api/renewals/{noticeId}', async (deps, caller, _e, p) => withEtag(200, noticeView(await getNotice(deps, caller, p.noticeId!))))
  .add('PATCH', '/api/renewals/{noticeId}', async (deps, caller, event, p) => withEtag(200, noticeView((await editNotice(deps, caller, p.noticeId!, jsonBody(event))).notice)))
  .add('POST', '/api/renewals/{noticeId}/approve', async (deps, caller, _e, p) => withEtag(200, noticeView((await approveNotice(deps, caller, p.noticeId!)).notice)))
  .add('POST', '/api/renewals/{noticeId}/refuse', async (deps, caller, event, p) => withEtag(200, noticeView((await refuseNotice(deps, caller, p.noticeId!, jsonBody(event))).notice)))
  .add('POST', '/api/renewals/{noticeId}/reset', async (deps, caller, _e, p) => withEtag(200, noticeView((await resetNotice(deps, caller, p.noticeId!)).notice)))
  .add('POST', '/api/renewals/{noticeId}/remind', async (deps, caller, _e, p) => withEtag(202, noticeView((await remindNotice(deps, caller, p.noticeId!)).notice)))
  .add('GET', '/api/dunning', async (deps, caller, event) => {
    const { state, ...page } = pageOf(event, { state: z.string().optional() });
    return json(200, await listDunning(deps, caller, state as string | undefined, page));
  })
  .add('GET', '/api/exports/members.csv', (deps, caller, event) => csvExport(deps, caller, event, 'members'))
  .add('GET', '/api/exports/memberships.csv', (deps, caller, event) => csvExport(deps, caller, event, 'memberships'))
  .add('GET', '/api/exports/invoices.csv', (deps, caller, event) => csvExport(deps, caller, event, 'invoices'))
  .add('GET', '/api/dunning/summary', async (deps, caller, event) => {
    const query = parseInput(z.strictObject({ from: z.string().optional(), to: z.string().optional() }), event.queryStringParameters ?? {}, 'query string');
    return json(200, await dunningSummary(deps, caller, query));
  });

export function apiHandler(deps: Deps) {
  return middy<ApiEvent, APIGatewayProxyResultV2>()
    .use(httpErrors())
    .handler(async (event) => {
      const match = routes.match(event.requestContext.http.method, event.rawPath);
      if (match === null) return json(404, { error: { code: 'route_not_found', message: `no route ${event.rawPath}`, details: [] } });
      if (match === 'method_not_allowed') {
        return json(405, { error: { code: 'method_not_allowed', message: `${event.requestContext.http.method} is not allowed on ${event.rawPath}`, details: [] } });
      }
      return match.handler(deps, callerOf(event), event, match.params);
    });
}
