import { useEffect, useState } from 'preact/hooks';

/**
 * Issue 11, item 7: every page has a stable URL, `/console/#/<path>?<filters>`. Filters live in
 * the hash's query, so back, forward and reload keep the view (R-CON-3).
 */
export interface Location {
  /** 'memberships/ms_1' */
  path: string;
  segments: string[];
  query: URLSearchParams;
}

export function currentLocation(): Location {
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path: segments.join('/'), segments, query: new URLSearchParams(search) };
}

/** Set by a navigation; the next page heading rendered takes the focus (R-CON-4). */
let focusPending = false;

export function takeFocusRequest(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}

/** '#/members/m_1' from segments, each encoded, with an optional query. */
export function href(segments: (string | number)[], query?: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}${text ? `?${text}` : ''}`;
}

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('hashchange', () => {
  focusPending = true;
  notify();
});

export function navigate(hash: string): void {
  if (location.hash === hash) notify();
  else location.hash = hash;
}

/** Changes the current page's filters: a new history entry (back returns), or in place for typing. */
export function setQuery(values: Record<string, string | undefined | null>, options: { replace?: boolean } = {}): void {
  const { segments, query } = currentLocation();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') query.delete(key);
    else query.set(key, value);
  }
  const text = query.toString();
  const hash = `#/${segments.map(encodeURIComponent).join('/')}${text ? `?${text}` : ''}`;
  if (options.replace) {
    history.replaceState(null, '', hash);
    notify();
  } else {
    location.hash = hash;
  }
}

/** The current location, re-rendering on every change. */
export function useLocation(): Location {
  const [, setTick] = useState(0);
  const rendered = location.hash;
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    // A navigation between this render and this subscription (a remount, e.g. after a language change) is not missed.
    if (location.hash !== rendered) listener();
    return () => void listeners.delete(listener);
  }, []);
  return currentLocation();
}
