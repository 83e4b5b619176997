import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Button, ErrorAlert } from './components.js';
import { type MessageKey, registerMessages, t } from './i18n.js';

type Catalogue = { en: Record<string, string>; fr: Record<string, string> };
// biome-ignore lint/suspicious/noExplicitAny: each page declares its own parameters
type PageModule = Record<string, FunctionComponent<any>>;

/**
 * The console's areas, each loaded (its pages and its words) the first time one of its pages
 * opens: the first load runs only the frame. An area lists every catalogue its pages use
 * (checked by test/unit/console-messages.test.ts).
 */
const AREAS = {
  members: () => Promise.all([import('./pages/members.js'), import('./messages/members.js')]),
  memberships: () => Promise.all([import('./pages/memberships.js'), import('./messages/memberships.js'), import('./messages/invoices.js')]),
  invoices: () => Promise.all([import('./pages/invoices.js'), import('./messages/invoices.js'), import('./messages/memberships.js')]),
  renewals: () => Promise.all([import('./pages/renewals.js'), import('./messages/renewals.js'), import('./messages/reasons.js')]),
  reasons: () => Promise.all([import('./pages/reasons.js'), import('./messages/reasons.js')]),
  dunning: () => Promise.all([import('./pages/dunning.js'), import('./messages/dunning.js')]),
  plans: () => Promise.all([import('./pages/plans.js'), import('./messages/plans.js')]),
  settings: () => Promise.all([import('./pages/settings.js'), import('./messages/settings.js'), import('./messages/plans.js')]),
} satisfies Record<string, () => Promise<[unknown, ...Catalogue[]]>>;
type Area = keyof typeof AREAS;

const loaded = new Map<Area, PageModule>();

/** A page of an area: rendered at once when the area is loaded, else after loading it. */
function lazy(area: Area, name: string): FunctionComponent<PageProps> {
  return function AreaPage(props: PageProps) {
    const [module, setModule] = useState(loaded.get(area));
    const [error, setError] = useState<unknown>(undefined);
    useEffect(() => {
      if (module) return;
      AREAS[area]().then(
        ([pages, ...catalogues]) => {
          for (const catalogue of catalogues) registerMessages(catalogue);
          loaded.set(area, pages as PageModule);
          setModule(pages as PageModule);
        },
        (e: unknown) => setError(e),
      );
    }, []);
    if (error !== undefined) {
      return (
        <>
          <ErrorAlert error={error} />
          <Button onClick={() => location.reload()}>{t('action.reload')}</Button>
        </>
      );
    }
    if (!module) return <p class="muted" aria-live="polite">{t('app.loading')}</p>;
    const Page = module[name]!;
    return <Page {...props} />;
  };
}

/**
 * Every console page and its stable URL (issue 11, item 7). A page gets its path parameters
 * as props; its filters it reads from the URL's query itself. `owner` pages are hidden from
 * staff (R-CON-5; the API refuses them too).
 */
export type PageProps = Record<string, string>;

export interface Route {
  pattern: string;
  /** Its props are the pattern's `:parameters` (each page names the ones it reads). */
  page: FunctionComponent<PageProps>;
  owner?: boolean;
}

export const ROUTES: Route[] = [
  { pattern: 'members', page: lazy('members', 'MembersPage') },
  { pattern: 'members/new', page: lazy('members', 'MemberCreatePage') },
  { pattern: 'members/:memberId', page: lazy('members', 'MemberPage') },
  { pattern: 'members/:memberId/edit', page: lazy('members', 'MemberEditPage') },
  { pattern: 'memberships', page: lazy('memberships', 'MembershipsPage') },
  { pattern: 'memberships/:membershipId', page: lazy('memberships', 'MembershipPage') },
  { pattern: 'renewals', page: lazy('renewals', 'RenewalsPage') },
  { pattern: 'renewals/:noticeId', page: lazy('renewals', 'NoticePage') },
  { pattern: 'dunning', page: lazy('dunning', 'DunningPage') },
  { pattern: 'invoices', page: lazy('invoices', 'InvoicesPage') },
  { pattern: 'invoices/:invoiceId', page: lazy('invoices', 'InvoicePage') },
  { pattern: 'plans', page: lazy('plans', 'PlansPage') },
  { pattern: 'plans/new', page: lazy('plans', 'PlanCreatePage') },
  { pattern: 'plans/:planId', page: lazy('plans', 'PlanPage') },
  { pattern: 'plans/:planId/edit', page: lazy('plans', 'PlanEditPage') },
  { pattern: 'reasons', page: lazy('reasons', 'ReasonsPage') },
  { pattern: 'settings', page: lazy('settings', 'SettingsPage') },
  { pattern: 'settings/edit', page: lazy('settings', 'SettingsEditPage'), owner: true },
  { pattern: 'settings/gateway', page: lazy('settings', 'GatewayPage'), owner: true },
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
