// Work-time models (B1): a name and the Soll of each weekday, Monday to Sunday, in H:MM.
// Which model an employee works under is assigned on their timesheet.
import { get, post, patch } from '../api.js';
import { t, errorText } from '../i18n.js';
import { h, clear, field, modal, setFieldError, toast } from '../util.js';
import { hm, parseHm } from '../minutes.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function renderWorkModels(main) {
  const box = h('div', { class: 'card flush' }, h('p', { class: 'pad muted', text: t('admin.loading') }));
  let models = [];
  clear(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', { text: t('admin.wm.title') }), h('p', { class: 'lead', text: t('admin.wm.lead') })),
      h('button', { type: 'button', class: 'btn primary', id: 'wm-new', onclick: () => edit(null), text: t('admin.wm.new') })),
    box);

  async function load() {
    try { models = (await get('/api/v1/work-models')).items; draw(); } catch (err) { clear(box, h('p', { class: 'pad form-error', text: errorText(err) })); }
  }

  function draw() {
    if (!models.length) { clear(box, h('div', { class: 'empty' }, h('p', { text: t('admin.wm.empty') }))); return; }
    clear(box, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'work-models' },
      h('caption', { class: 'sr-only', text: t('admin.wm.title') }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('admin.wm.name') }), DAYS.map((d) => h('th', { scope: 'col', class: 'num' }, h('abbr', { title: t('admin.wm.day_long.' + d), text: t('admin.wm.day.' + d) }))),
        h('th', { scope: 'col', class: 'num', text: t('admin.wm.week') }), h('th', { scope: 'col', text: t('admin.wm.kind') }),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: t('admin.actions') })))),
      h('tbody', {}, models.map((m) => h('tr', {},
        h('td', { 'data-label': t('admin.wm.name') }, h('strong', { text: m.name })),
        m.minutes.map((v, i) => h('td', { class: 'num', 'data-label': t('admin.wm.day_long.' + DAYS[i]), text: hm(v) })),
        h('td', { class: 'num', 'data-label': t('admin.wm.week'), text: hm(m.minutes.reduce((a, b) => a + b, 0)) }),
        h('td', { 'data-label': t('admin.wm.kind'), text: t(m.regular ? 'admin.wm.regular' : 'admin.wm.irregular') }),
        h('td', { class: 'actions' }, h('button', { type: 'button', class: 'btn small', 'aria-label': t('admin.wm.edit_label', { name: m.name }), onclick: () => edit(m), text: t('admin.edit') }))))))));
  }

  function edit(m) {
    modal(t(m ? 'admin.wm.edit_title' : 'admin.wm.new'), (body, close) => {
      const name = h('input', { id: 'wm-name', value: m?.name || '', maxlength: 200, autocomplete: 'off', required: true });
      const days = DAYS.map((d, i) => h('input', { id: 'wm-' + d, value: hm(m ? m.minutes[i] : (i < 5 ? 480 : 0)), autocomplete: 'off', inputmode: 'decimal', size: 5 }));
      const error = h('p', { class: 'form-error', role: 'alert', id: 'wm-error' });
      const form = h('form', { novalidate: true }, field(t('admin.wm.name'), name),
        h('fieldset', { class: 'week-pick' }, h('legend', { text: t('admin.wm.days') }),
          days.map((input, i) => field(t('admin.wm.day_long.' + DAYS[i]), input))),
        h('p', { class: 'muted small', text: t('admin.wm.days_hint') }),
        error,
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'btn primary', id: 'wm-save', text: t('admin.save') }),
          h('button', { type: 'button', class: 'btn', onclick: close, text: t('admin.cancel') })));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        let ok = true;
        const nameBad = !name.value.trim();
        setFieldError(name, nameBad ? t('admin.people.required') : '');
        if (nameBad) ok = false;
        const minutes = days.map((input) => {
          const v = parseHm(input.value, { max: 1440 });
          setFieldError(input, v === null ? t('admin.wm.day_invalid') : '');
          if (v === null) ok = false;
          return v;
        });
        if (!ok) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
        try {
          if (m) await patch(`/api/v1/work-models/${m.id}`, { name: name.value.trim(), minutes }); else await post('/api/v1/work-models', { name: name.value.trim(), minutes });
          toast(t('admin.wm.saved', { name: name.value.trim() }));
          close();
          load();
        } catch (err) { error.textContent = errorText(err); }
      });
      body.append(form);
      return name;
    });
  }
  load();
}
