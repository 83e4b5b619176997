import type { ComponentChildren } from 'preact';
import type { GatewayView } from '../../../../shared/use-cases/gateway.js';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, getOrNull } from '../api.js';
import { Alert, Button, ErrorAlert, Facts, Field, Loaded, PageHeader, flash, useLoad } from '../components.js';
import { instant, locale, type MessageKey, t } from '../i18n.js';
import { href, navigate } from '../router.js';
import { type OrgSettings, useSession } from '../session.js';
import { explain, FormError, useInvalidFocus } from './plans.js';

/**
 * The organisation's settings (issue 11): everyone reads them in words; owners edit them
 * (If-Match) and manage the Stripe connection, whose secrets are write-only (R-PAY-1). Staff
 * see neither the Edit link nor the gateway (R-CON-5; the shell forbids the owner routes and
 * the API refuses them).
 */

const PROVINCES = ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'];

/** "Quebec (QC)"; a country code in the browser's words; else the code. */
function jurisdictionText(code: string): string {
  const [first = '', sub] = code.split('-');
  const province = sub ? (first === 'CA' ? sub : null) : first;
  if (province && PROVINCES.includes(province)) return `${t(`settings.province.${province}` as MessageKey)} (${code})`;
  if (!sub) {
    try {
      const name = new Intl.DisplayNames([locale()], { type: 'region' }).of(code);
      if (name && name !== code) return `${name} (${code})`;
    } catch {
      // not a region code the browser knows
    }
  }
  return code;
}

/** The zone's offset from UTC now, in the console's language ("GMT-05:00", "UTC−05:00"). */
function offsetNow(zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat(locale(), { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

function localeText(value: string): string {
  return value === 'fr-CA' || value === 'en' ? t(`settings.locale.${value}`) : value;
}

function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="card facts-pairs" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function ConnectionBadge({ connected }: { connected: boolean }) {
  return <span class={`badge ${connected ? 'badge-ok' : 'badge-pending'}`}>{connected ? t('settings.gateway.connected') : t('settings.gateway.notConnected')}</span>;
}

function keyText(g: GatewayView): string | null {
  if (!g.keyLast4) return null;
  return t(g.keyKind === 'restricted' ? 'settings.gateway.restrictedKey' : 'settings.gateway.secretKey', { last4: g.keyLast4 });
}

// ---- Settings ---------------------------------------------------------------------------------

export function SettingsPage() {
  const { owner } = useSession();
  const state = useLoad(async () => {
    const [found, gateway] = await Promise.all([
      getOrNull<OrgSettings>('/api/settings'),
      // R-CON-5: only owners read the gateway; a failure there leaves the settings readable.
      owner ? api.get<GatewayView>('/api/gateway').then((a) => a.data, (error: unknown) => ({ error })) : Promise.resolve(null),
    ]);
    return { settings: found?.data ?? null, gateway };
  }, [owner]);
  const editLink = (label: string) =>
    owner ? (
      <a class="button primary" href={href(['settings', 'edit'])}>
        {label}
      </a>
    ) : null;
  const exists = state.data?.settings != null;
  return (
    <>
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} actions={state.data ? editLink(exists ? t('action.edit') : t('settings.setUp')) : null} />
      <Loaded state={state}>
        {({ settings: s, gateway }) => (
          <>
            {s ? (
              <>
                <Section title={t('settings.section.organisation')} id="settings-org">
                  <Facts
                    items={[
                      [t('settings.field.name'), s.name],
                      [t('settings.field.mainContact'), s.mainContactEmail],
                      [t('settings.field.timeZone'), t('settings.timeZoneValue', { zone: s.timeZone, offset: offsetNow(s.timeZone) })],
                      [t('settings.field.locale'), localeText(s.locale)],
                      [t('settings.field.jurisdiction'), jurisdictionText(s.jurisdiction)],
                    ]}
                  />
                </Section>
                <Section title={t('settings.section.mail')} id="settings-mail">
                  <p class="muted">{t('settings.mailIntro')}</p>
                  <Facts
                    items={[
                      [t('settings.field.sender'), t('settings.senderValue', { name: s.sender.name, email: s.sender.email })],
                      [t('settings.field.replyTo'), s.replyTo],
                    ]}
                  />
                </Section>
                <Section title={t('settings.section.branding')} id="settings-branding">
                  {s.branding?.primaryColor || s.branding?.logoUrl ? (
                    <Facts
                      items={[
                        [
                          t('settings.field.primaryColor'),
                          s.branding.primaryColor ? (
                            <>
                              <span class="swatch" aria-hidden="true" style={{ background: s.branding.primaryColor }} />
                              <code>{s.branding.primaryColor}</code>
                            </>
                          ) : null,
                        ],
                        [t('settings.field.logoUrl'), s.branding.logoUrl ?? null],
                      ]}
                    />
                  ) : (
                    <p class="muted">{t('settings.branding.none')}</p>
                  )}
                </Section>
                <p class="muted">{t('settings.updated', { when: instant(s.updatedAt) })}</p>
              </>
            ) : (
              <Alert tone="info">{owner ? t('settings.missingOwner') : t('settings.missingStaff')}</Alert>
            )}
            {owner && gateway ? <GatewaySummary gateway={gateway} /> : null}
          </>
        )}
      </Loaded>
    </>
  );
}

function GatewaySummary({ gateway }: { gateway: GatewayView | { error: unknown } }) {
  return (
    <Section title={t('settings.gateway.title')} id="settings-gateway">
      {'error' in gateway ? (
        <ErrorAlert error={gateway.error} />
      ) : (
        <Facts
          items={[
            [t('settings.gateway.status'), <ConnectionBadge connected={gateway.connected} />],
            [t('settings.gateway.mode'), gateway.mode ? t(`settings.gateway.mode.${gateway.mode}`) : null],
            [t('settings.gateway.key'), keyText(gateway)],
            [t('settings.gateway.checked'), gateway.updatedAt ? instant(gateway.updatedAt) : null],
          ]}
        />
      )}
      <p>
        <a href={href(['settings', 'gateway'])}>{t('settings.gateway.manage')}</a>
      </p>
    </Section>
  );
}

// ---- Edit -------------------------------------------------------------------------------------

interface Draft {
  name: string;
  mainContactEmail: string;
  senderName: string;
  senderEmail: string;
  replyTo: string;
  timeZone: string;
  locale: 'fr-CA' | 'en';
  jurisdiction: string;
  primaryColor: string;
  logoUrl: string;
}

type SettingsBody = Omit<OrgSettings, 'version' | 'updatedAt'>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FIELDS = ['name', 'mainContactEmail', 'sender.name', 'sender.email', 'replyTo', 'timeZone', 'locale', 'jurisdiction', 'branding.primaryColor', 'branding.logoUrl'];

function draftOf(s: OrgSettings | null): Draft {
  return {
    name: s?.name ?? '',
    mainContactEmail: s?.mainContactEmail ?? '',
    senderName: s?.sender.name ?? '',
    senderEmail: s?.sender.email ?? '',
    replyTo: s?.replyTo ?? '',
    timeZone: s?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    locale: s?.locale ?? locale(),
    jurisdiction: s?.jurisdiction ?? '',
    primaryColor: s?.branding?.primaryColor ?? '',
    logoUrl: s?.branding?.logoUrl ?? '',
  };
}

function checkDraft(d: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  const required = (field: string, value: string) => {
    if (!value.trim()) errors[field] = t('field.required');
  };
  const email = (field: string, value: string) => {
    if (!value.trim()) errors[field] = t('field.required');
    else if (!EMAIL.test(value.trim())) errors[field] = t('field.invalidEmail');
  };
  required('name', d.name);
  email('mainContactEmail', d.mainContactEmail);
  required('sender.name', d.senderName);
  email('sender.email', d.senderEmail);
  email('replyTo', d.replyTo);
  const jurisdiction = d.jurisdiction.trim().toUpperCase();
  if (!jurisdiction) errors.jurisdiction = t('field.required');
  else if (!/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(jurisdiction)) errors.jurisdiction = t('settings.error.jurisdiction');
  if (d.primaryColor.trim() && !/^#[0-9a-fA-F]{6}$/.test(d.primaryColor.trim())) errors['branding.primaryColor'] = t('settings.error.colour');
  if (d.logoUrl.trim()) {
    let https = false;
    try {
      https = new URL(d.logoUrl.trim()).protocol === 'https:';
    } catch {
      https = false;
    }
    if (!https) errors['branding.logoUrl'] = t('settings.error.logoUrl');
  }
  return errors;
}

function bodyOf(d: Draft): SettingsBody {
  const body: SettingsBody = {
    name: d.name.trim(),
    mainContactEmail: d.mainContactEmail.trim(),
    sender: { name: d.senderName.trim(), email: d.senderEmail.trim() },
    replyTo: d.replyTo.trim(),
    timeZone: d.timeZone,
    locale: d.locale,
    jurisdiction: d.jurisdiction.trim().toUpperCase(),
  };
  const primaryColor = d.primaryColor.trim();
  const logoUrl = d.logoUrl.trim();
  if (primaryColor || logoUrl) body.branding = { ...(primaryColor ? { primaryColor } : {}), ...(logoUrl ? { logoUrl } : {}) };
  return body;
}

/** Every zone the browser knows, the current one first when it is not among them. */
function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

/** R-REN-8 refused a jurisdiction (no field): the plan that would break it, from the API's words. */
function jurisdictionRefusal(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.rule !== 'R-REN-8' || error.details.some((d) => d.field)) return undefined;
  const plan = /\(([^)]*)\) would break/.exec(error.message)?.[1];
  return `${t('settings.rule.REN8', { plan: plan ?? '' })} (R-REN-8)`;
}

export function SettingsEditPage() {
  const session = useSession();
  const state = useLoad(() => getOrNull<OrgSettings>('/api/settings'), []);
  return (
    <>
      <PageHeader title={state.data === null ? t('settings.setUpTitle') : t('settings.editTitle')} />
      <Loaded state={state}>{(found) => <SettingsForm found={found} refresh={session.refreshSettings} />}</Loaded>
    </>
  );
}

function SettingsForm({ found, refresh }: { found: { data: OrgSettings; etag: string | null } | null; refresh: () => Promise<void> }) {
  const [d, setDraft] = useState<Draft>(() => draftOf(found?.data ?? null));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const zoneList = useMemo(() => zones(d.timeZone), []);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const form = useRef<HTMLFormElement>(null);
  useInvalidFocus(form, error);
  const apiError = Object.keys(errors).length > 0 ? undefined : error;
  const noReply = { 'R-DUN-8': t('settings.rule.DUN8') };
  const err = (field: string, words: Record<string, string> = {}) => errors[field] ?? explain(apiError, field, words);
  const jurisdictionError = errors.jurisdiction ?? jurisdictionRefusal(apiError) ?? explain(apiError, 'jurisdiction', {});

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const problems = checkDraft(d);
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.put<OrgSettings>('/api/settings', bodyOf(d), found?.etag);
      // The console follows the new language and time zone (unless this admin chose a language).
      await refresh();
      flash(t('settings.saved'));
      navigate(href(['settings']));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const text = (value: string, onInput: (v: string) => void, extra: Record<string, unknown> = {}) => (props: Record<string, unknown>) => (
    <input {...props} {...extra} value={value} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
  );

  return (
    <form class="card" ref={form} onSubmit={submit} noValidate>
      <FormError error={apiError} fields={FIELDS} refused={t('settings.refused')} placed={jurisdictionRefusal(apiError) !== undefined} />
      <fieldset>
        <legend>{t('settings.section.organisation')}</legend>
        <Field label={t('settings.field.name')} error={err('name')}>
          {text(d.name, (name) => set({ name }), { maxLength: 200, autoComplete: 'organization' })}
        </Field>
        <Field label={t('settings.field.mainContact')} hint={t('settings.hint.mainContact')} error={err('mainContactEmail')}>
          {text(d.mainContactEmail, (mainContactEmail) => set({ mainContactEmail }), { type: 'email', autoComplete: 'email' })}
        </Field>
        <div class="field-row">
          <Field label={t('settings.field.timeZone')} hint={t('settings.hint.timeZone', { offset: offsetNow(d.timeZone) })} error={err('timeZone')}>
            {(props) => (
              <select {...props} value={d.timeZone} onChange={(e) => set({ timeZone: (e.currentTarget as HTMLSelectElement).value })}>
                {zoneList.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('settings.field.locale')} hint={t('settings.hint.locale')} error={err('locale')}>
            {(props) => (
              <select {...props} value={d.locale} onChange={(e) => set({ locale: (e.currentTarget as HTMLSelectElement).value as Draft['locale'] })}>
                <option value="fr-CA">{t('settings.locale.fr-CA')}</option>
                <option value="en">{t('settings.locale.en')}</option>
              </select>
            )}
          </Field>
          <Field label={t('settings.field.jurisdiction')} hint={t('settings.hint.jurisdiction')} error={jurisdictionError}>
            {text(d.jurisdiction, (jurisdiction) => set({ jurisdiction }), { maxLength: 6, autoComplete: 'off' })}
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('settings.section.mail')}</legend>
        <div class="field-row">
          <Field label={t('settings.field.senderName')} hint={t('settings.hint.senderName')} error={err('sender.name')}>
            {text(d.senderName, (senderName) => set({ senderName }), { maxLength: 100, autoComplete: 'name' })}
          </Field>
          <Field label={t('settings.field.senderEmail')} hint={t('settings.hint.senderEmail')} error={err('sender.email', noReply)}>
            {text(d.senderEmail, (senderEmail) => set({ senderEmail }), { type: 'email', autoComplete: 'off' })}
          </Field>
        </div>
        <Field label={t('settings.field.replyTo')} hint={t('settings.hint.replyTo')} error={err('replyTo', noReply)}>
          {text(d.replyTo, (replyTo) => set({ replyTo }), { type: 'email', autoComplete: 'off' })}
        </Field>
      </fieldset>
      <fieldset>
        <legend>{t('settings.section.branding')}</legend>
        <div class="field-row">
          <Field label={t('settings.field.primaryColor')} optional hint={t('settings.hint.primaryColor')} error={err('branding.primaryColor')}>
            {text(d.primaryColor, (primaryColor) => set({ primaryColor }), { maxLength: 7, autoComplete: 'off' })}
          </Field>
          <Field label={t('settings.field.logoUrl')} optional hint={t('settings.hint.logoUrl')} error={err('branding.logoUrl')}>
            {text(d.logoUrl, (logoUrl) => set({ logoUrl }), { type: 'url', autoComplete: 'off' })}
          </Field>
        </div>
      </fieldset>
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('settings.save')}
        </Button>
        <a href={href(['settings'])}>{t('action.cancel')}</a>
      </div>
    </form>
  );
}

// ---- Gateway ----------------------------------------------------------------------------------

const SECRET_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]{16,240}$/;
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=]{16,240}$/;

export function GatewayPage() {
  const state = useLoad(() => api.get<GatewayView>('/api/gateway'), []);
  const [done, setDone] = useState<GatewayView | null>(null);
  return (
    <>
      <PageHeader title={t('settings.gateway.title')} subtitle={t('settings.gateway.subtitle')} actions={<a href={href(['settings'])}>{t('settings.back')}</a>} />
      <Loaded state={state}>
        {({ data: g, etag }) => (
          <>
            <Section title={t('settings.gateway.statusTitle')} id="gateway-status">
              <Facts
                items={[
                  [t('settings.gateway.status'), <ConnectionBadge connected={g.connected} />],
                  [t('settings.gateway.mode'), g.mode ? t(`settings.gateway.mode.${g.mode}`) : null],
                  [t('settings.gateway.key'), keyText(g)],
                  [t('settings.gateway.webhookSecret'), g.webhookSecretLast4 ? t('settings.gateway.endsWith', { last4: g.webhookSecretLast4 }) : null],
                  [t('settings.gateway.since'), g.connectedAt ? instant(g.connectedAt) : null],
                  [t('settings.gateway.checked'), g.updatedAt ? instant(g.updatedAt) : null],
                ]}
              />
              {g.connected ? null : <p class="muted">{t('settings.gateway.notConnectedText')}</p>}
            </Section>
            <ConnectForm
              key={g.version}
              gateway={g}
              etag={etag}
              done={done}
              onDone={(view) => {
                setDone(view);
                state.reload();
              }}
            />
            <Section title={t('settings.gateway.webhookTitle')} id="gateway-webhook">
              <p>{t('settings.gateway.webhookText')}</p>
              <p>
                <code>{g.webhook.url}</code>
              </p>
              <details>
                <summary>{t('settings.gateway.events', { n: g.webhook.events.length })}</summary>
                <ul class="plain">
                  {g.webhook.events.map((e) => (
                    <li key={e}>
                      <code>{e}</code>
                    </li>
                  ))}
                </ul>
              </details>
            </Section>
          </>
        )}
      </Loaded>
    </>
  );
}

/** R-CON-1, R-PAY-1: the keys are checked on the form, reviewed (mode, last 4), then sent; never shown back. */
function ConnectForm({ gateway, etag, done, onDone }: { gateway: GatewayView; etag: string | null; done: GatewayView | null; onDone: (view: GatewayView) => void }) {
  const [secretKey, setSecretKey] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [reviewing, setReviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (reviewing) reviewHeading.current?.focus();
  }, [reviewing]);
  useInvalidFocus(form, error);

  const replacing = gateway.connected;
  const apiError = Object.keys(errors).length > 0 ? undefined : error;
  const keyError =
    errors.secretKey ?? (apiError instanceof ApiError && apiError.code === 'gateway_key_rejected' ? t('settings.gateway.keyRejected') : explain(apiError, 'secretKey', {}));
  const secretError = errors.webhookSecret ?? explain(apiError, 'webhookSecret', {});
  const key = secretKey.trim();
  const mode = /^(sk|rk)_live_/.test(key) ? 'live' : 'test';

  const review = (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!key) found.secretKey = t('field.required');
    else if (!SECRET_KEY.test(key)) found.secretKey = t('settings.gateway.badKey');
    if (!webhookSecret.trim()) found.webhookSecret = t('field.required');
    else if (!WEBHOOK_SECRET.test(webhookSecret.trim())) found.webhookSecret = t('settings.gateway.badSecret');
    setErrors(found);
    setError(undefined);
    if (Object.keys(found).length > 0) {
      const form = event.currentTarget as HTMLFormElement;
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setReviewing(true);
  };

  const confirm = async () => {
    setBusy(true);
    try {
      const answer = await api.put<GatewayView>('/api/gateway', { secretKey: key, webhookSecret: webhookSecret.trim() }, etag);
      // Write-only: the form forgets them at once.
      setSecretKey('');
      setWebhookSecret('');
      onDone(answer.data);
    } catch (e) {
      setError(e);
      setReviewing(false);
    } finally {
      setBusy(false);
    }
  };

  const title = replacing ? t('settings.gateway.replaceTitle') : t('settings.gateway.connectTitle');
  return (
    <Section title={title} id="gateway-connect">
      {done ? (
        <Alert tone="ok">{t('settings.gateway.done', { mode: t(`settings.gateway.inMode.${done.mode ?? 'test'}`), last4: done.keyLast4 ?? '' })}</Alert>
      ) : null}
      {reviewing ? (
        <div class="review">
          <h3 tabIndex={-1} ref={reviewHeading}>
            {t('confirm.title')}
          </h3>
          <p>{t('settings.gateway.reviewCheck')}</p>
          <p>{t('settings.gateway.reviewUse', { kind: t(key.startsWith('rk_') ? 'settings.gateway.kind.restricted' : 'settings.gateway.kind.secret'), last4: key.slice(-4), mode: t(`settings.gateway.inMode.${mode}`) })}</p>
          {replacing ? <p>{t('settings.gateway.reviewReplace', { last4: gateway.keyLast4 ?? '' })}</p> : null}
          {mode === 'live' ? <Alert tone="warn">{t('settings.gateway.reviewLive')}</Alert> : null}
          <div class="form-actions">
            <Button kind="primary" busy={busy} onClick={confirm}>
              {replacing ? t('settings.gateway.replace') : t('settings.gateway.connect')}
            </Button>
            <Button kind="link" disabled={busy} onClick={() => setReviewing(false)}>
              {t('action.cancel')}
            </Button>
          </div>
        </div>
      ) : (
        <form ref={form} onSubmit={review} noValidate>
          <p class="muted">{t('settings.gateway.formIntro')}</p>
          <FormError error={apiError} fields={['secretKey', 'webhookSecret']} refused={t('settings.gateway.refused')} />
          <Field label={t('settings.gateway.keyField')} hint={t('settings.gateway.keyHint')} error={keyError}>
            {(props) => <input {...props} type="password" autoComplete="off" spellcheck={false} value={secretKey} onInput={(e) => setSecretKey((e.currentTarget as HTMLInputElement).value)} />}
          </Field>
          <Field label={t('settings.gateway.secretField')} hint={t('settings.gateway.secretHint')} error={secretError}>
            {(props) => <input {...props} type="password" autoComplete="off" spellcheck={false} value={webhookSecret} onInput={(e) => setWebhookSecret((e.currentTarget as HTMLInputElement).value)} />}
          </Field>
          <div class="form-actions">
            <Button kind="secondary" type="submit">
              {t('settings.gateway.check')}
            </Button>
          </div>
        </form>
      )}
    </Section>
  );
}
