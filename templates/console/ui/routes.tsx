import type { FunctionComponent } from 'preact';
import * as dunning from './pages/dunning.js';
import * as invoices from './pages/invoices.js';
import * as members from './pages/members.js';
import * as memberships from './pages/memberships.js';
import * as plans from './pages/plans.js';
import * as reasons from './pages/reasons.js';
import * as renewals from './pages/renewals.js';
import * as settings from './pages/settings.js';
import type { MessageKey } from './i18n.js';

/**
 * Every console page and its stable URL (issue 11, item 7). A page gets its path parameters
 * as props; its filters it reads from the URL's query itself. `owner` pages are hidden from
 * staff (R-CON-5; the API refuses them too).
 */
export type PageProps = Record<string, string>;

export interface Route {
  pattern: string;
  /** Its props are the pattern's `:parameters` (each page names the ones it reads). */
  // biome-ignore lint/suspicious/noExplicitAny: each page declares its own parameters
  page: FunctionComponent<any>;
  owner?: boolean;
}

export const ROUTES: Route[] = [
  { pattern: 'members', page: members.MembersPage },
  { pattern: 'members/new', page: members.MemberCreatePage },
  { pattern: 'members/:memberId', page: members.MemberPage },
  { pattern: 'members/:memberId/edit', page: members.MemberEditPage },
  { pattern: 'memberships', page: memberships.MembershipsPage },
  { pattern: 'memberships/:membershipId', page: memberships.MembershipPage },
  { pattern: 'renewals', page: renewals.RenewalsPage },
  { pattern: 'renewals/:noticeId', page: renewals.NoticePage },
  { pattern: 'dunning', page: dunning.DunningPage },
  { pattern: 'invoices', page: invoices.InvoicesPage },
  { pattern: 'invoices/:invoiceId', page: invoices.InvoicePage },
  { pattern: 'plans', page: plans.PlansPage },
  { pattern: 'plans/new', page: plans.PlanCreatePage },
  { pattern: 'plans/:planId', page: plans.PlanPage },
  { pattern: 'plans/:planId/edit', page: plans.PlanEditPage },
  { pattern: 'reasons', page: reasons.ReasonsPage },
  { pattern: 'settings', page: settings.SettingsPage },
  { pattern: 'settings/edit', page: settings.SettingsEditPage, owner: true },
  { pattern: 'settings/gateway', page: settings.GatewayPage, owner: true },
];

/** The main menu, in order: section (first path segment) and its words. */
export const NAVIGATION: [string, MessageKey][] = [
  ['members', 'nav.members'],
  ['memberships', 'nav.memberships'],
  ['renewals', 'nav.renewals'],
  ['dunning', 'nav.dunning'],
  ['invoices', 'nav.invoices'],
  ['plans', 'nav.plans'],
  ['reasons', 'nav.reasons'],
  ['settings', 'nav.settings'],
];

export const HOME = '#/members';

/** The first route whose literal segments and parameter count fit. */
export function matchRoute(segments: string[]): { route: Route; params: PageProps } | null {
  for (const route of ROUTES) {
    const parts = route.pattern.split('/');
    if (parts.length !== segments.length) continue;
    const params: PageProps = {};
    const fits = parts.every((part, i) => {
      if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
      return part.startsWith(':') || part === segments[i];
    });
    if (fits) return { route, params };
  }
  return null;
}
