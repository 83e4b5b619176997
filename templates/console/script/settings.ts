/** Browser script, part 6: organisation settings (GET/PUT /api/settings, If-Match). */
export const settingsScript = String.raw`
// ---- Settings -------------------------------------------------------------------------------

const LOCALES = [
  ['fr-CA', 'Français (Canada)'],
  ['en', 'English'],
];

function localeName(code) {
  const known = LOCALES.find(([value]) => value === code);
  return known ? known[1] : code;
}

async function settingsPage() {
  const found = await getOrNull('/api/settings');
  if (!found) {
    return [pageHeader('Settings', buttonLink('#/settings/edit', 'Create settings', 'primary')), muted('This organisation has no settings yet.')];
  }
  const s = found.data;
  const branding = s.branding || {};
  return [
    pageHeader('Settings', buttonLink('#/settings/edit', 'Edit', 'primary')),
    card(
      'Organisation',
      facts([
        ['Name', s.name],
        ['Main contact', s.mainContactEmail],
        ['Time zone', s.timeZone],
        ['Language', localeName(s.locale)],
        ['Jurisdiction', s.jurisdiction],
      ]),
    ),
    card(
      'Member mail',
      facts([
        ['Sender', s.sender.name + ' <' + s.sender.email + '>'],
        ['Reply-to', s.replyTo],
      ]),
    ),
    card(
      'Branding',
      facts([
        ['Primary colour', branding.primaryColor],
        ['Logo URL', branding.logoUrl],
      ]),
    ),
    muted('Version ' + s.version + ' · updated ' + formatInstant(s.updatedAt)),
  ];
}

async function settingsEditPage() {
  const found = await getOrNull('/api/settings');
  const s = found ? found.data : { sender: {} };
  const branding = s.branding || {};
  const form = h(
    'form',
    { class: 'card' },
    fieldset(
      'Organisation',
      field('Name', textInput('name', s.name, { required: true, maxlength: 200 })),
      field('Main contact e-mail', textInput('mainContactEmail', s.mainContactEmail, { type: 'email', required: true })),
      row(
        field('Time zone', textInput('timeZone', s.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone, { list: 'time-zones', required: true })),
        field('Language', selectInput('locale', LOCALES, s.locale || 'fr-CA')),
        field('Jurisdiction', textInput('jurisdiction', s.jurisdiction, { required: true, placeholder: 'QC' }), 'Region code, e.g. QC or ON.'),
      ),
      timeZoneList(),
    ),
    fieldset(
      'Member mail',
      row(
        field('Sender name', textInput('sender.name', s.sender.name, { required: true })),
        field('Sender e-mail', textInput('sender.email', s.sender.email, { type: 'email', required: true }), 'A person’s address, not a no-reply.'),
      ),
      field('Reply-to', textInput('replyTo', s.replyTo, { type: 'email', required: true }), 'Replies from members go here; a person must read it.'),
    ),
    fieldset(
      'Branding (optional)',
      row(
        field('Primary colour', textInput('branding.primaryColor', branding.primaryColor, { placeholder: '#0b5cad' })),
        field('Logo URL', textInput('branding.logoUrl', branding.logoUrl, { type: 'url', placeholder: 'https://' })),
      ),
    ),
    formActions(submitButton('Save settings'), buttonLink('#/settings', 'Cancel', 'secondary')),
  );
  onSubmit(form, async (read) => {
    await api.put('/api/settings', settingsBody(read), found ? found.etag : undefined);
    flash('Settings saved.');
    navigate('#/settings');
  });
  return [pageHeader(found ? 'Edit settings' : 'Create settings'), form];
}

function timeZoneList() {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return h('datalist', { id: 'time-zones' }, zones.map((zone) => h('option', { value: zone })));
}

function settingsBody(read) {
  const body = {
    name: read.text('name'),
    mainContactEmail: read.text('mainContactEmail'),
    sender: { name: read.text('sender.name'), email: read.text('sender.email') },
    replyTo: read.text('replyTo'),
    timeZone: read.text('timeZone'),
    locale: read.text('locale'),
    jurisdiction: read.text('jurisdiction').toUpperCase(),
  };
  const primaryColor = read.optionalText('branding.primaryColor');
  const logoUrl = read.optionalText('branding.logoUrl');
  if (primaryColor || logoUrl) body.branding = { primaryColor, logoUrl };
  return body;
}
`;
