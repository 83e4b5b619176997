import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, type ErrorDetail, SessionEnded } from './api.js';
import { type MessageKey, status as statusWord, t, tOr } from './i18n.js';
import { takeFocusRequest } from './router.js';

/**
 * The console's building blocks. Every page is a PageHeader, then content; every list is a
 * TableRegion; every form field is a Field whose error sits next to it; every action that
 * changes money or dates goes through an ActionPanel (review what it will do, then confirm).
 */

/** The page's one h1. It names the document and takes the focus after a navigation (R-CON-4). */
export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Relance`;
  }, [title]);
  useEffect(() => {
    if (takeFocusRequest()) heading.current?.focus();
  }, []);
  return (
    <div class="page-header">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {subtitle ? <p class="muted subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div class="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Alert({ tone, children, title }: { tone: 'ok' | 'info' | 'warn' | 'error'; title?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <p class="alert-title">{title}</p> : null}
      {children}
    </div>
  );
}

/** An error in the admin's language: the code's words, then the field-free details. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    const key = `error.${error.code}` as MessageKey;
    const known = t(key, { rule: error.rule ?? '' });
    if (known !== key) return known;
    if (error.code.startsWith('http_')) return t('error.generic', { status: error.status });
    return t('error.serverSaid', { message: error.message });
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * An error box. `fields` names the fields the form shows next to its inputs: their details are
 * left to the Field; other details are listed here.
 */
export function ErrorAlert({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (error instanceof SessionEnded) return null;
  const details = error instanceof ApiError ? error.details.filter((d) => !d.field || !fields.includes(d.field)) : [];
  const showServer = error instanceof ApiError && error.code === 'rule_violation';
  return (
    <Alert tone="error" title={errorText(error)}>
      {showServer ? <p>{error.message}</p> : null}
      {details.length > 0 ? (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.field ? <code>{d.field}</code> : null}
              {d.field ? ': ' : null}
              {detailText(d)}
            </li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}

/**
 * The API's problem with a field (exact name or a nested path under it), in the admin's words
 * (R-CON-2): validation problems by their reason; a rule of ours by its message and rule id.
 */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const detail = error.details.find((d) => d.field === field || d.field?.startsWith(`${field}.`));
  return detail ? detailText(detail) : undefined;
}

export function detailText(detail: ErrorDetail): string {
  const worded = detail.reason && detail.reason !== 'invalid' ? tOr(`field.reason.${detail.reason}`, '', { limit: detail.limit ?? '' }) : '';
  if (worded) return worded;
  return t('field.refused', { message: detail.message }) + (detail.rule ? ` (${detail.rule})` : '');
}

export interface LoadState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads data for a page; reloads when a dependency changes or on `reload()`. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): LoadState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** Shows a load's error or a loading line, else renders its data. */
export function Loaded<T>({ state, children }: { state: LoadState<T>; children: (data: T) => ComponentChildren }) {
  if (state.error !== undefined) return <ErrorAlert error={state.error} />;
  if (state.data === undefined) return <p class="muted" aria-live="polite">{t('app.loading')}</p>;
  return <>{children(state.data)}</>;
}

/**
 * A table in a region that scrolls sideways on a narrow screen and can be reached with the
 * keyboard (axe: scrollable-region-focusable); `columns` are its header cells (children: tbody).
 */
export function TableRegion({ label, columns, children, empty }: { label: string; columns?: string[]; children: ComponentChildren; empty?: boolean }) {
  if (empty) return <p class="muted">{t('table.empty')}</p>;
  return (
    <div class="table-wrap" role="region" aria-label={t('table.regionLabel', { label })} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{label}</caption>
        {columns ? (
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
        ) : null}
        {children}
      </table>
    </div>
  );
}

export function StatusBadge({ kind, value }: { kind: 'membership' | 'invoice' | 'notice' | 'dunning'; value: string }) {
  return <span class={`badge badge-${value}`}>{statusWord(kind, value)}</span>;
}

/** A description list of label → value pairs; null values are left out. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items
        .filter(([, value]) => value !== null && value !== undefined && value !== false)
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/** A labelled form field: the label, the control (children get `id` and `aria-describedby`), a hint, the error. */
export function Field({
  label,
  hint,
  error,
  optional,
  children,
}: {
  label: string;
  hint?: ComponentChildren;
  error?: string;
  optional?: boolean;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>
        {label}
        {optional ? <span class="muted"> ({t('field.optional')})</span> : null}
      </label>
      {children({ id, 'aria-describedby': described, ...(error ? { 'aria-invalid': true } : {}) })}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Button({
  kind = 'secondary',
  busy,
  children,
  ...rest
}: { kind?: 'primary' | 'secondary' | 'danger' | 'link'; busy?: boolean } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'kind'>) {
  return (
    <button type="button" class={kind} disabled={busy || Boolean(rest.disabled)} aria-busy={busy || undefined} {...rest}>
      {busy ? t('action.working') : children}
    </button>
  );
}

/**
 * R-CON-1: an action that says what it will do before doing it. `form` gathers the input;
 * "review" asks `preview` for a summary (the API's preview: dates, amounts); "confirm" runs
 * `perform`, whose answer is shown as the result. Errors sit in the panel.
 */
export function ActionPanel({
  title,
  description,
  form,
  preview,
  perform,
  reviewLabel,
  confirmLabel,
  tone = 'primary',
  onDone,
}: {
  title: string;
  description?: ComponentChildren;
  form?: ComponentChildren;
  preview: () => Promise<ComponentChildren>;
  perform: () => Promise<ComponentChildren>;
  reviewLabel: string;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  onDone?: () => void;
}) {
  const [stage, setStage] = useState<'form' | 'review' | 'done'>('form');
  const [summary, setSummary] = useState<ComponentChildren>(null);
  const [result, setResult] = useState<ComponentChildren>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const resultBox = useRef<HTMLDivElement>(null);
  const headingId = useId();

  useEffect(() => {
    if (stage === 'review') reviewHeading.current?.focus();
    if (stage === 'done') resultBox.current?.focus();
  }, [stage]);

  const review = async (event?: Event) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setSummary(await preview());
      setStage('review');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await perform());
      setStage('done');
      onDone?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card action-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {description ? <p class="muted">{description}</p> : null}
      {error !== undefined ? <ErrorAlert error={error} /> : null}
      {stage === 'form' ? (
        <form onSubmit={review} noValidate>
          {form}
          <div class="form-actions">
            <Button kind="secondary" type="submit" busy={busy}>
              {reviewLabel}
            </Button>
          </div>
        </form>
      ) : null}
      {stage === 'review' ? (
        <div class="review">
          <h3 tabIndex={-1} ref={reviewHeading}>
            {t('confirm.title')}
          </h3>
          {summary}
          <div class="form-actions">
            <Button kind={tone} busy={busy} onClick={confirm}>
              {confirmLabel}
            </Button>
            <Button kind="link" disabled={busy} onClick={() => setStage('form')}>
              {t('action.cancel')}
            </Button>
          </div>
        </div>
      ) : null}
      {stage === 'done' ? (
        <div class="result" tabIndex={-1} ref={resultBox}>
          <Alert tone="ok">{result}</Alert>
          <Button kind="link" onClick={() => setStage('form')}>
            {t('action.close')}
          </Button>
        </div>
      ) : null}
    </section>
  );
}

/** "Next page" / "First page" for a cursor kept in the URL (`cursor`). */
export function Pager({ nextCursor, cursor, onPage }: { nextCursor?: string | null; cursor?: string | null; onPage: (cursor: string | null) => void }) {
  if (!nextCursor && !cursor) return null;
  return (
    <nav class="pager" aria-label={t('action.nextPage')}>
      {cursor ? (
        <Button kind="link" onClick={() => onPage(null)}>
          {t('action.firstPage')}
        </Button>
      ) : null}
      {nextCursor ? <Button onClick={() => onPage(nextCursor)}>{t('action.nextPage')}</Button> : null}
    </nav>
  );
}

/** A one-off message shown on the next page (after an action that navigates). */
let pendingFlash: string | null = null;

export function flash(message: string): void {
  pendingFlash = message;
}

export function Flash() {
  const [message] = useState(() => {
    const m = pendingFlash;
    pendingFlash = null;
    return m;
  });
  return message ? <Alert tone="ok">{message}</Alert> : null;
}
