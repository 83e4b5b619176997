import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, apiPath } from '../api.js';
import { ActionPanel, Alert, Button, ErrorAlert, Field, fieldError, Loaded, PageHeader, TableRegion, useLoad } from '../components.js';
import { instant, locale, t } from '../i18n.js';

/**
 * R-NOT-3: the organisation's refusal reasons. Staff add them, rename them (a label, and one per
 * language if they like) and retire or restore them; a reason is never deleted. Renaming and
 * retiring send the version read just before (If-Match), so a change made meanwhile is not lost.
 */
export interface Reason {
  id: string;
  label: string;
  labels: { 'fr-CA'?: string; en?: string };
  retired: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The reason in the admin's language: its translation, else its label. */
export function reasonLabel(reason: Pick<Reason, 'label' | 'labels'>): string {
  return reason.labels?.[locale()] ?? reason.label;
}

interface Draft {
  label: string;
  fr: string;
  en: string;
}

const draftOf = (reason?: Reason): Draft => ({ label: reason?.label ?? '', fr: reason?.labels['fr-CA'] ?? '', en: reason?.labels.en ?? '' });

function bodyOf(draft: Draft): { label: string; labels: Reason['labels'] } {
  const labels: Reason['labels'] = {};
  if (draft.fr.trim()) labels['fr-CA'] = draft.fr.trim();
  if (draft.en.trim()) labels.en = draft.en.trim();
  return { label: draft.label.trim(), labels };
}

const isDuplicate = (error: unknown) => error instanceof ApiError && error.code === 'refusal_reason_exists';

/** The refusals this page words itself (the API's text is for developers), or null. */
function knownError(error: unknown): string | null {
  if (isDuplicate(error)) return t('reasons.error.exists');
  if (error instanceof ApiError && error.code === 'concurrent_modification') return t('error.version_conflict');
  return null;
}

/** A reason's three labels, with client checks first and the API's refusals next to each field. */
function LabelForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  autoFocus,
}: {
  initial: Draft;
  submitLabel: string;
  onSubmit: (draft: Draft) => Promise<void>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [draft, setDraft] = useState(initial);
  const [required, setRequired] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) first.current?.focus();
  }, [autoFocus]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    if (!draft.label.trim()) {
      setRequired(true);
      first.current?.focus();
      return;
    }
    setRequired(false);
    setBusy(true);
    try {
      await onSubmit(draft);
      setDraft(initial);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const set = (key: keyof Draft) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
  const labelError = required ? t('field.required') : isDuplicate(error) ? t('reasons.error.exists') : fieldError(error, 'label');

  return (
    <form onSubmit={submit} noValidate>
      {error === undefined ? null : knownError(error) ? <Alert tone="error" title={knownError(error)} /> : <ErrorAlert error={error} fields={['label', 'labels']} />}
      <Field label={t('reasons.field.label')} hint={t('reasons.field.labelHint')} error={labelError}>
        {(props) => <input {...props} ref={first} type="text" maxLength={200} required value={draft.label} onInput={set('label')} />}
      </Field>
      <div class="field-row">
        <Field label={t('reasons.field.fr')} optional error={fieldError(error, 'labels.fr-CA')}>
          {(props) => <input {...props} type="text" lang="fr" maxLength={200} value={draft.fr} onInput={set('fr')} />}
        </Field>
        <Field label={t('reasons.field.en')} optional error={fieldError(error, 'labels.en')}>
          {(props) => <input {...props} type="text" lang="en" maxLength={200} value={draft.en} onInput={set('en')} />}
        </Field>
      </div>
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {submitLabel}
        </Button>
        {onCancel ? (
          <Button kind="link" onClick={onCancel} disabled={busy}>
            {t('action.cancel')}
          </Button>
        ) : null}
      </div>
    </form>
  );
}

function Translations({ reason }: { reason: Reason }) {
  const fr = reason.labels['fr-CA'];
  const en = reason.labels.en;
  if (!fr && !en) return <span class="muted">{t('reasons.lang.none')}</span>;
  return (
    <>
      {fr ? (
        <div>
          {t('reasons.lang.fr', { label: '' })}
          <span lang="fr">{fr}</span>
        </div>
      ) : null}
      {en ? (
        <div>
          {t('reasons.lang.en', { label: '' })}
          <span lang="en">{en}</span>
        </div>
      ) : null}
    </>
  );
}

export function ReasonsPage() {
  const list = useLoad(() => api.get<{ items: Reason[] }>(apiPath(['refusal-reasons'], { retired: 'include' })).then((r) => r.data.items), []);
  const [renaming, setRenaming] = useState<{ reason: Reason; etag: string | null } | null>(null);
  const [toggling, setToggling] = useState<Reason | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [openError, setOpenError] = useState<unknown>(undefined);
  const messageBox = useRef<HTMLDivElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  // The version read when the review was asked for: the retirement is sent with it (If-Match).
  const toggleEtag = useRef<string | null>(null);

  useEffect(() => {
    if (message) messageBox.current?.focus();
  }, [message]);
  useEffect(() => {
    if (toggling) panel.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [toggling?.id]);

  const done = (text: string) => {
    setMessage(text);
    list.reload();
  };

  const startRename = async (reason: Reason) => {
    setMessage(null);
    setOpenError(undefined);
    setToggling(null);
    try {
      const { data, etag } = await api.get<Reason>(apiPath(['refusal-reasons', reason.id]));
      setRenaming({ reason: data, etag });
    } catch (e) {
      setOpenError(e);
    }
  };

  const startToggle = (reason: Reason) => {
    setMessage(null);
    setOpenError(undefined);
    setRenaming(null);
    setToggling(reason);
  };

  const create = async (draft: Draft) => {
    const { data } = await api.post<Reason>(apiPath(['refusal-reasons']), bodyOf(draft));
    done(t('reasons.create.done', { label: data.label }));
  };

  const rename = async (draft: Draft) => {
    const { data } = await api.patch<Reason>(apiPath(['refusal-reasons', renaming!.reason.id]), bodyOf(draft), renaming!.etag);
    setRenaming(null);
    done(t('reasons.rename.done', { label: data.label }));
  };

  const retiring = toggling ? !toggling.retired : false;

  return (
    <>
      <PageHeader title={t('reasons.title')} subtitle={t('reasons.subtitle')} />
      {message ? (
        <div tabIndex={-1} ref={messageBox}>
          <Alert tone="ok">{message}</Alert>
        </div>
      ) : null}
      {openError !== undefined ? <ErrorAlert error={openError} /> : null}
      <Loaded state={list}>
        {(reasons) =>
          reasons.length === 0 ? (
            <p class="muted">{t('reasons.empty')}</p>
          ) : (
            <TableRegion label={t('reasons.list')} columns={[t('reasons.col.reason'), t('reasons.col.translations'), t('reasons.col.status'), t('reasons.col.added'), t('reasons.col.actions')]}>
              <tbody>
                {reasons.map((r) => (
                  <tr key={r.id}>
                    <td data-label={t('reasons.col.reason')}>
                      <div>
                        <strong>{r.label}</strong>
                      </div>
                    </td>
                    <td data-label={t('reasons.col.translations')}>
                      <div>
                        <Translations reason={r} />
                      </div>
                    </td>
                    <td data-label={t('reasons.col.status')}>
                      <div>
                        <span class={r.retired ? 'badge' : 'badge badge-active'}>{t(r.retired ? 'reasons.status.retired' : 'reasons.status.active')}</span>
                      </div>
                    </td>
                    <td data-label={t('reasons.col.added')} class="nowrap">
                      <div>{instant(r.createdAt)}</div>
                    </td>
                    <td data-label={t('reasons.col.actions')}>
                      <div>
                        <div class="actions">
                          <Button kind="secondary" onClick={() => void startRename(r)}>
                            {t('reasons.rename')}
                            <span class="visually-hidden"> {r.label}</span>
                          </Button>
                          <Button kind={r.retired ? 'secondary' : 'danger'} onClick={() => startToggle(r)}>
                            {t(r.retired ? 'reasons.restore' : 'reasons.retire')}
                            <span class="visually-hidden"> {r.label}</span>
                          </Button>
                        </div>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </TableRegion>
          )
        }
      </Loaded>

      {renaming ? (
        <section class="card" aria-labelledby="reason-rename">
          <h2 id="reason-rename">{t('reasons.rename.title', { label: renaming.reason.label })}</h2>
          <LabelForm key={renaming.reason.id} initial={draftOf(renaming.reason)} submitLabel={t('action.save')} onSubmit={rename} onCancel={() => setRenaming(null)} autoFocus />
        </section>
      ) : null}

      {toggling ? (
        <div ref={panel}>
          <ActionPanel
            key={toggling.id}
            title={t(retiring ? 'reasons.retire.title' : 'reasons.restore.title', { label: toggling.label })}
            description={t(retiring ? 'reasons.retire.description' : 'reasons.restore.description')}
            reviewLabel={t('reasons.review')}
            confirmLabel={t(retiring ? 'reasons.retire.confirm' : 'reasons.restore.confirm')}
            tone={retiring ? 'danger' : 'primary'}
            preview={async () => {
              const { data, etag } = await api.get<Reason>(apiPath(['refusal-reasons', toggling.id]));
              toggleEtag.current = etag;
              return <p>{t(retiring ? 'reasons.retire.summary' : 'reasons.restore.summary', { label: data.label })}</p>;
            }}
            perform={async () => {
              try {
                const { data } = await api.patch<Reason>(apiPath(['refusal-reasons', toggling.id]), { retired: retiring }, toggleEtag.current);
                return t(retiring ? 'reasons.retire.done' : 'reasons.restore.done', { label: data.label });
              } catch (e) {
                const known = knownError(e);
                throw known ? new Error(known) : e;
              }
            }}
            onDone={() => {
              const label = toggling.label;
              setToggling(null);
              done(t(retiring ? 'reasons.retire.done' : 'reasons.restore.done', { label }));
            }}
          />
          <div class="form-actions">
            <Button kind="link" onClick={() => setToggling(null)}>
              {t('action.cancel')}
            </Button>
          </div>
        </div>
      ) : null}

      <section class="card" aria-labelledby="reason-create">
        <h2 id="reason-create">{t('reasons.create.title')}</h2>
        <LabelForm initial={draftOf()} submitLabel={t('reasons.create.submit')} onSubmit={create} />
      </section>
    </>
  );
}
