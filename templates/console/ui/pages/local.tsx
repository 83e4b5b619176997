import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { developmentLogin } from '../auth.js';
import { Button, ErrorAlert, Facts, Field, useLoad } from '../components.js';
import { instant, type MessageKey, t } from '../i18n.js';
import { useSession } from '../session.js';

/**
 * The local cloud's panel (npm start only): its clock, which staff move forward (every timer
 * that falls due fires: POST /_local/clock), what fired, and the e-mails the local SES accepted.
 */
interface Fired {
  at: string;
  label: string;
  outcome: string;
  error?: string;
}

interface LocalEmail {
  messageId: string;
  to: string[];
  from: string;
  replyTo: string[];
  subject: string;
  text: string;
  at: string;
}

const STEPS: [string, MessageKey][] = [
  ['PT1H', 'local.plusHour'],
  ['P1D', 'local.plusDay'],
  ['P7D', 'local.plusWeek'],
  ['P30D', 'local.plusMonth'],
];
const EMAILS_SHOWN = 20;
const LINKS: [string, MessageKey][] = [
  ['/_local/emails', 'local.linkEmails'],
  ['/_local/schedules', 'local.linkSchedules'],
  ['/_local/executions', 'local.linkExecutions'],
  ['/_local/payments', 'local.linkPayments'],
];
/** What the last advance fired, kept across the reload that follows it. */
const KEPT = 'relance.local.advance';

/** `"Name" <a@b>` or `=?UTF-8?Q?…?= <a@b>` → `a@b`. */
function address(mailbox: string): string {
  return /<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox;
}

export function LocalCloudPanel() {
  return useSession().local ? <Panel /> : null;
}

function keptAdvance(): { now: string; fired: Fired[] } | null {
  const text = sessionStorage.getItem(KEPT);
  sessionStorage.removeItem(KEPT);
  try {
    return text ? (JSON.parse(text) as { now: string; fired: Fired[] }) : null;
  } catch {
    return null;
  }
}

function Panel() {
  const session = useSession();
  const headingId = useId();
  const [last] = useState(keptAdvance);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [filter, setFilter] = useState('');
  const [recipient, setRecipient] = useState('');
  const [showAll, setShowAll] = useState(false);
  const result = useRef<HTMLDivElement>(null);
  const clock = useLoad(() => api.get<{ now: string }>('/_local/clock').then((a) => a.data.now), []);
  const emails = useLoad(
    () => api.get<{ items: LocalEmail[] }>(`/_local/emails${recipient ? `?to=${encodeURIComponent(recipient)}` : ''}`).then((a) => a.data.items.slice().reverse()),
    [recipient],
  );

  useEffect(() => {
    if (last) result.current?.focus();
  }, []);

  /** Moves the clock, takes a fresh token (it expires on the local clock), then reloads every page's data. */
  const advance = async (duration: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await api.post<{ now: string; fired: Fired[] }>('/_local/clock', { advance: duration });
      await developmentLogin(session.claims.orgId, session.owner ? 'owners' : 'staff');
      sessionStorage.setItem(KEPT, JSON.stringify(data));
      location.reload();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const shown = emails.data ? (showAll ? emails.data : emails.data.slice(0, EMAILS_SHOWN)) : [];
  return (
    <aside class="local-cloud" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('local.title')}</h2>
      <p class="clock" aria-live="polite">
        {t('local.clock')} {clock.data ? instant(clock.data) : t('app.loading')}
      </p>
      <div class="button-row" role="group" aria-label={t('local.advance')}>
        {STEPS.map(([duration, label]) => (
          <Button key={duration} busy={busy} onClick={() => advance(duration)}>
            {t(label)}
          </Button>
        ))}
      </div>
      <p class="hint">{t('local.advanceHint')}</p>
      {error !== undefined ? <ErrorAlert error={error} /> : null}
      {clock.error !== undefined ? <ErrorAlert error={clock.error} /> : null}
      {last ? (
        <div class="fired" tabIndex={-1} ref={result}>
          <p>{t('local.advanced', { now: instant(last.now) })}</p>
          {last.fired.length === 0 ? (
            <p class="muted">{t('local.nothingFired')}</p>
          ) : (
            <>
              <p>{t('local.fired', { count: last.fired.length })}</p>
              <ul class="fired-list">
                {last.fired.map((f, i) => (
                  <li key={i} class={f.outcome === 'error' ? 'failed' : undefined}>
                    {instant(f.at)} <code>{f.label}</code>
                    {f.outcome === 'error' ? ` — ${t('local.failed', { error: f.error ?? '' })}` : null}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      ) : null}

      <h3>{t('local.emails')}</h3>
      <form
        class="searchbar"
        onSubmit={(e) => {
          e.preventDefault();
          setShowAll(false);
          setRecipient(filter.trim());
        }}
      >
        <Field label={t('local.recipient')}>
          {(props) => <input {...props} type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />}
        </Field>
        <Button type="submit">{t('local.filter')}</Button>
        <Button kind="link" onClick={() => emails.reload()}>
          {t('action.reload')}
        </Button>
      </form>
      {emails.error !== undefined ? <ErrorAlert error={emails.error} /> : null}
      {emails.data && emails.data.length === 0 ? <p class="muted">{t('local.noEmails')}</p> : null}
      <ul class="email-list">
        {shown.map((mail) => (
          <li key={mail.messageId}>
            <details>
              <summary>
                <span class="email-subject">{mail.subject || t('local.noSubject')}</span>
                <span class="muted">
                  {mail.to.map(address).join(', ')} · {instant(mail.at)}
                </span>
              </summary>
              <Facts
                items={[
                  [t('local.from'), mail.from],
                  [t('local.replyTo'), mail.replyTo.join(', ') || null],
                ]}
              />
              <pre class="email-text" tabIndex={0}>{mail.text || t('local.noText')}</pre>
            </details>
          </li>
        ))}
      </ul>
      {emails.data && !showAll && emails.data.length > EMAILS_SHOWN ? (
        <Button kind="link" onClick={() => setShowAll(true)}>
          {t('local.showAll', { count: emails.data.length })}
        </Button>
      ) : null}
      <p class="local-links">
        {LINKS.map(([path, label]) => (
          <a key={path} href={path} target="_blank" rel="noopener">
            {t(label)}
          </a>
        ))}
      </p>
    </aside>
  );
}
