/**
 * Browser script, part 5: forms. Each control is named by its API field path
 * (e.g. `renewal.notice.sendDaysBefore`) so the API's error details land beside the field.
 */
export const formsScript = String.raw`
// ---- Forms ----------------------------------------------------------------------------------

let controlCount = 0;

/** A labelled control; the wrapper carries the field path for error placement. */
function field(label, control, hint) {
  if (!control.id) control.id = 'control-' + ++controlCount;
  return h(
    'div',
    { class: 'field', 'data-field': control.name },
    h('label', { for: control.id }, label),
    control,
    hint ? h('small', { class: 'hint' }, hint) : null,
  );
}

function textInput(name, value, attributes) {
  return h('input', Object.assign({ type: 'text', name, value: value === null || value === undefined ? '' : String(value) }, attributes));
}

function numberInput(name, value, min, max) {
  return textInput(name, value, { type: 'number', inputmode: 'numeric', step: 1, min, max });
}

/** options: [value, label] pairs. */
function selectInput(name, options, value, attributes) {
  return h(
    'select',
    Object.assign({ name, value: value === null || value === undefined ? '' : String(value) }, attributes),
    options.map(([optionValue, label]) => h('option', { value: optionValue }, label)),
  );
}

function checkboxField(name, label, checked, hint) {
  return h(
    'div',
    { class: 'field field-check', 'data-field': name },
    h('label', null, h('input', { type: 'checkbox', name, checked: Boolean(checked) }), ' ', label),
    hint ? h('small', { class: 'hint' }, hint) : null,
  );
}

function fieldset(legend, ...children) {
  return h('fieldset', null, h('legend', null, legend), children);
}

function row(...fields) {
  return h('div', { class: 'field-row' }, fields);
}

function submitButton(label) {
  return h('button', { type: 'submit', class: 'primary' }, label);
}

function formActions(...children) {
  return h('div', { class: 'form-actions' }, children);
}

/** Typed reads of a form's controls by name. */
function reader(form) {
  const control = (name) => form.elements.namedItem(name);
  return {
    text: (name) => control(name).value.trim(),
    optionalText: (name) => control(name).value.trim() || undefined,
    integer: (name) => parseInteger(control(name).value),
    integers: (name) => parseIntList(control(name).value),
    checked: (name) => control(name).checked,
  };
}

/**
 * Runs action(read) on submit with the buttons disabled; a failure is shown at the top of the
 * form with each detail beside its field.
 */
function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const buttons = Array.from(form.querySelectorAll('button'));
    for (const b of buttons) b.disabled = true;
    try {
      await action(reader(form));
    } catch (error) {
      if (!(error instanceof SessionEnded)) showFormError(form, error);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  return form;
}

function clearFormErrors(form) {
  for (const el of form.querySelectorAll('.form-error, .field-error')) el.remove();
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showFormError(form, error) {
  const box = errorBox(error);
  box.classList.add('form-error');
  form.prepend(box);
  for (const detail of error.details || []) {
    const target = fieldFor(form, detail.field);
    if (!target) continue;
    target.classList.add('invalid');
    target.append(h('small', { class: 'field-error' }, detail.message));
    const control = target.querySelector('input, select, textarea');
    if (control) control.setAttribute('aria-invalid', 'true');
  }
  box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

/** The field wrapper whose path is the longest prefix of the error's field path. */
function fieldFor(form, path) {
  if (!path) return null;
  let best = null;
  for (const el of form.querySelectorAll('[data-field]')) {
    const name = el.getAttribute('data-field');
    const matches = path === name || path.startsWith(name + '.');
    if (matches && !el.hidden && (!best || name.length > best.getAttribute('data-field').length)) best = el;
  }
  return best;
}

/** Shows or hides the field (or section) named by its data-field. */
function showField(form, name, visible) {
  for (const el of form.querySelectorAll('[data-field]')) {
    if (el.getAttribute('data-field') === name) el.hidden = !visible;
  }
}

/** Calls sync(form) now and whenever a control changes: for fields that depend on others. */
function keepInSync(form, sync) {
  form.addEventListener('input', () => sync(form));
  form.addEventListener('change', () => sync(form));
  sync(form);
  return form;
}
`;
