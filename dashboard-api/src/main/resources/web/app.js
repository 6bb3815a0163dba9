// Fleetwarden web dashboard. Plain DOM, no framework, no inline scripts (the CSP forbids them).
// Every value from the API is inserted with textContent, never innerHTML, so alert evidence and
// report text cannot inject markup.
(function () {
  'use strict';

  const state = { token: sessionStorage.getItem('fw.token') };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
      else if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  async function api(method, path, body) {
    const opts = { method, headers: { 'Authorization': 'Bearer ' + state.token } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const r = await fetch(path, opts);
    if (r.status === 401) {
      logout('Your session is not valid any more; log in again.');
      throw new Error('unauthorized');
    }
    const ct = r.headers.get('Content-Type') || '';
    const data = ct.includes('json') ? await r.json() : await r.text();
    if (!r.ok) {
      throw new Error((data && data.detail) || (data && data.title) || ('HTTP ' + r.status));
    }
    return data;
  }

  function showError(e) {
    document.getElementById('error').textContent = e ? String(e.message || e) : '';
  }

  function logout(message) {
    sessionStorage.removeItem('fw.token');
    state.token = null;
    document.getElementById('nav').hidden = true;
    document.getElementById('view').replaceChildren();
    document.getElementById('login-view').hidden = false;
    document.getElementById('login-error').textContent = message || '';
  }

  async function login(token) {
    state.token = token;
    try {
      const me = await api('GET', '/api/v1/me');
      sessionStorage.setItem('fw.token', token);
      document.getElementById('whoami').textContent = me.name + ' (' + me.role + ')';
      document.getElementById('login-view').hidden = true;
      document.getElementById('nav').hidden = false;
      if (!location.hash || location.hash === '#/') location.hash = '#/alerts';
      route();
    } catch (e) {
      if (e.message !== 'unauthorized') logout(e.message);
      else document.getElementById('login-error').textContent = 'Token refused.';
    }
  }

  function fmt(t) { return t ? new Date(t).toISOString().replace('T', ' ').substring(0, 19) : ''; }

  // ---- alerts ----
  async function alertsView(view) {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const status = el('select', { id: 'f-status' }, ...['', 'OPEN', 'ACKNOWLEDGED', 'RESOLVED'].map(s => el('option', { value: s }, s || 'any status')));
    const severity = el('select', { id: 'f-severity' }, ...['', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map(s => el('option', { value: s }, s || 'any severity')));
    const rule = el('input', { id: 'f-rule', placeholder: 'rule id' });
    const device = el('input', { id: 'f-device', placeholder: 'device id' });
    status.value = params.get('status') || '';
    severity.value = params.get('severity') || '';
    rule.value = params.get('rule') || '';
    device.value = params.get('device') || '';
    const apply = el('button', { id: 'f-apply', type: 'button', onclick: () => {
      const q = new URLSearchParams();
      if (status.value) q.set('status', status.value);
      if (severity.value) q.set('severity', severity.value);
      if (rule.value) q.set('rule', rule.value);
      if (device.value) q.set('device', device.value);
      location.hash = '#/alerts?' + q.toString();
    } }, 'Filter');
    const table = el('table', { id: 'alert-table' }, el('thead', {}, el('tr', {},
      ...['Opened', 'Severity', 'Rule', 'Subject', 'Summary', 'Status', 'Assignee', 'Actions'].map(h => el('th', {}, h)))));
    const body = el('tbody');
    table.appendChild(body);
    view.replaceChildren(el('h2', {}, 'Alert queue'), el('div', { class: 'filters' }, status, severity, rule, device, apply), table);
    const q = new URLSearchParams(params);
    q.set('limit', '200');
    const page = await api('GET', '/api/v1/alerts?' + q.toString());
    view.insertBefore(el('p', { id: 'alert-total' }, page.total + ' alerts'), table);
    for (const a of page.items) {
      const subject = a.deviceId ? el('a', { href: '#/devices/' + encodeURIComponent(a.tenant) + '/' + encodeURIComponent(a.deviceId) }, a.tenant + '/' + a.deviceId)
        : el('span', {}, a.tenant + ' ' + (a.cohortDimension || '') + '=' + (a.cohortValue || ''));
      const actions = el('td', {});
      if (a.status === 'OPEN') {
        actions.appendChild(el('button', { type: 'button', class: 'ack', 'data-alert': a.alertId, onclick: () => act(a.alertId, 'acknowledge', {}) }, 'Acknowledge'));
      }
      if (a.status !== 'RESOLVED') {
        actions.appendChild(el('button', { type: 'button', class: 'resolve-tp', onclick: () => act(a.alertId, 'resolve', { resolution: 'true-positive' }) }, 'Resolve (TP)'));
        actions.appendChild(el('button', { type: 'button', class: 'resolve-fp', onclick: () => act(a.alertId, 'resolve', { resolution: 'false-positive' }) }, 'Resolve (FP)'));
      } else {
        actions.appendChild(el('button', { type: 'button', class: 'reopen', onclick: () => act(a.alertId, 'reopen', {}) }, 'Reopen'));
      }
      actions.appendChild(el('a', { href: '#/alert/' + encodeURIComponent(a.alertId) }, 'Details'));
      body.appendChild(el('tr', { 'data-alert-id': a.alertId },
        el('td', {}, fmt(a.openedAt)), el('td', { class: 'sev-' + a.severity }, a.severity), el('td', {}, a.ruleId),
        el('td', {}, subject), el('td', {}, a.summary), el('td', { class: 'status status-' + a.status }, a.status),
        el('td', {}, a.assignee || ''), actions));
    }
  }

  async function act(alertId, action, body) {
    try {
      await api('POST', '/api/v1/alerts/' + encodeURIComponent(alertId) + '/' + action, body);
      showError(null);
      route();
    } catch (e) { showError(e); }
  }

  async function alertDetail(view, id) {
    const a = await api('GET', '/api/v1/alerts/' + encodeURIComponent(id));
    const evidence = el('table', {}, ...Object.entries(a.evidence || {}).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
    const history = el('table', { id: 'history' }, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'Who'), el('th', {}, 'Action'), el('th', {}, 'Detail')),
      ...(a.history || []).map(h => el('tr', {}, el('td', {}, fmt(h.at)), el('td', {}, h.actor), el('td', {}, h.action), el('td', {}, h.detail || ''))));
    const comment = el('input', { id: 'comment-text', placeholder: 'comment' });
    const assignee = el('input', { id: 'assignee', placeholder: 'assignee' });
    view.replaceChildren(el('h2', {}, a.ruleName + ' (' + a.ruleId + ')'),
      el('div', { class: 'card' }, el('p', {}, a.summary), el('p', {}, 'Status: ', el('span', { class: 'status status-' + a.status, id: 'alert-status' }, a.status),
        ' · severity ', a.severity, ' · guidelines ', (a.guidelines || []).join(', '), a.mitreTechnique ? ' · ATT&CK ' + a.mitreTechnique : '')),
      el('h3', {}, 'Evidence'), evidence,
      el('h3', {}, 'Triage'), el('div', { class: 'filters' }, comment,
        el('button', { type: 'button', onclick: () => act(id, 'comments', { text: comment.value }) }, 'Comment'), assignee,
        el('button', { type: 'button', onclick: () => act(id, 'assign', { assignee: assignee.value }) }, 'Assign')),
      history);
  }

  // ---- devices ----
  async function devicesView(view) {
    const q = el('input', { id: 'device-q', placeholder: 'search id, model, firmware' });
    const table = el('table', { id: 'device-table' }, el('tr', {}, ...['Device', 'Model', 'Firmware', 'Connected', 'Last seen', 'Risk', 'Control'].map(h => el('th', {}, h))));
    async function load() {
      const page = await api('GET', '/api/v1/devices?limit=200&q=' + encodeURIComponent(q.value));
      table.replaceChildren(table.firstChild);
      for (const d of page.items) {
        table.appendChild(el('tr', {}, el('td', {}, el('a', { href: '#/devices/' + encodeURIComponent(d.tenant) + '/' + encodeURIComponent(d.deviceId) }, d.tenant + '/' + d.deviceId)),
          el('td', {}, d.model || ''), el('td', {}, d.firmwareVersion || ''), el('td', {}, d.connected ? 'yes' : 'no'), el('td', {}, fmt(d.lastSeen)),
          el('td', {}, d.riskScore), el('td', {}, d.control.revoked ? 'revoked' : d.control.quarantined ? 'quarantined' : '')));
      }
    }
    view.replaceChildren(el('h2', {}, 'Devices'), el('div', { class: 'filters' }, q, el('button', { type: 'button', onclick: load }, 'Search')), table);
    await load();
  }

  // One guideline's evidence: each fact with where it came from (record, alert, report or configuration) and when.
  function provenance(e) {
    if (e.alertId) return 'alert ' + e.alertId;
    if (e.offset !== undefined) return e.source + '[' + e.partition + ']@' + e.offset;
    return e.source + (e.key ? ' ' + e.key : '');
  }
  function evidenceCell(g) {
    const items = (g.evidence || []).map(e => el('li', { class: 'evidence' }, e.fact, el('span', { class: 'provenance' }, ' — ' + provenance(e) + (e.at ? ' · ' + fmt(e.at) : ''))));
    return el('td', {}, g.reason ? el('p', { class: 'reason' }, g.reason) : '', el('ul', {}, ...items));
  }

  async function deviceDetail(view, tenant, id) {
    const d = await api('GET', '/api/v1/devices/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(id));
    const base = '/api/v1/devices/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(id);
    const control = d.control.revoked ? 'revoked' : d.control.quarantined ? 'quarantined' : 'normal';
    async function respond(action) {
      try { await api('POST', base + '/' + action, { reason: 'from dashboard' }); route(); } catch (e) { showError(e); }
    }
    const posture = el('table', { id: 'device-posture' }, el('tr', {}, el('th', {}, '#'), el('th', {}, 'Guideline'), el('th', {}, 'Standing'), el('th', {}, 'Evidence')),
      ...(d.posture || []).map(g => el('tr', {}, el('td', {}, g.number), el('td', {}, g.title), el('td', { class: g.standing }, g.standing), evidenceCell(g))));
    const alerts = el('ul', {}, ...(d.openAlerts || []).map(a => el('li', {}, el('a', { href: '#/alert/' + encodeURIComponent(a.alertId) }, a.severity + ' ' + a.ruleId + ': ' + a.summary))));
    const chart = el('div', { id: 'device-chart', class: 'chart' });
    view.replaceChildren(el('h2', {}, tenant + '/' + id),
      el('div', { class: 'card' },
        el('p', {}, 'Model ', d.model || '?', ' · firmware ', d.firmwareVersion || '?', ' · region ', d.region || '?'),
        el('p', {}, 'Connected: ', d.connected ? 'yes' : 'no', ' · last seen ', fmt(d.lastSeen), ' · broker ', d.brokerId || '?', ' · risk ', d.riskScore),
        el('p', {}, 'Control state: ', el('strong', { id: 'control-state' }, control), d.control.issuedBy ? ' (by ' + d.control.issuedBy + ', ' + fmt(d.control.issuedAt) + ')' : ''),
        el('button', { type: 'button', id: 'quarantine', onclick: () => respond('quarantine') }, 'Quarantine'),
        el('button', { type: 'button', id: 'release', onclick: () => respond('release') }, 'Release'),
        el('button', { type: 'button', id: 'revoke', onclick: () => respond('revoke') }, 'Revoke')),
      el('h3', {}, 'Open alerts'), alerts, el('h3', {}, 'Health'), chart, el('h3', {}, 'Posture'), posture);
    const s = d.health && d.health.series && d.health.series[0];
    if (s && window.uPlot) {
      const xs = s.points.map(p => new Date(p.time).getTime() / 1000);
      new window.uPlot({ width: 800, height: 220, series: [{}, { label: 'cpu %', stroke: '#c84b00' }, { label: 'memory %', stroke: '#1565c0' }] },
        [xs, s.points.map(p => p.values.cpu_percent), s.points.map(p => p.values.memory_percent)], chart);
    } else {
      chart.textContent = 'No health series in the window.';
    }
  }

  // ---- fleet ----
  async function fleetView(view) {
    const range = el('select', { id: 'range' }, ...[['PT6H', 'last 6 hours'], ['PT24H', 'last 24 hours'], ['P7D', 'last 7 days']].map(([v, l]) => el('option', { value: v }, l)));
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    range.value = params.get('range') || 'PT24H';
    range.addEventListener('change', () => { location.hash = '#/fleet?range=' + range.value; });
    const online = el('div', { id: 'chart-online', class: 'chart' });
    const churn = el('div', { id: 'chart-connects', class: 'chart' });
    const alerts = el('div', { id: 'chart-alerts', class: 'chart' });
    const fw = el('table', { id: 'firmware-distribution' });
    view.replaceChildren(el('h2', {}, 'Fleet health'), range, el('h3', {}, 'Online devices per cohort'), online,
      el('h3', {}, 'Connects and disconnects'), churn, el('h3', {}, 'Alerts by severity'), alerts, el('h3', {}, 'Firmware distribution'), fw);
    const hours = { PT6H: 6, PT24H: 24, P7D: 168 }[range.value];
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3600 * 1000);
    const h = await api('GET', '/api/v1/fleet/health?from=' + from.toISOString() + '&to=' + to.toISOString());
    plot(online, h.cohorts, 'online', s => (s.tags.tenant || '') + ' ' + (s.tags.dimension || '') + '=' + (s.tags.cohort || ''));
    plot(churn, sumSeries(h.connectivity, ['connects', 'disconnects']), null, s => s.name);
    plot(alerts, h.alertCounts, 'open', s => (s.tags.tenant || '') + ' ' + (s.tags.severity || 'all') + ' open');
    fw.appendChild(el('tr', {}, el('th', {}, 'Model'), el('th', {}, 'Firmware'), el('th', {}, 'Devices')));
    for (const [model, versions] of Object.entries(h.firmwareDistribution)) {
      for (const [v, n] of Object.entries(versions)) fw.appendChild(el('tr', {}, el('td', {}, model), el('td', {}, v), el('td', {}, n)));
    }
  }

  function sumSeries(series, fields) {
    const out = fields.map(f => ({ name: f, tags: {}, points: [] }));
    const byTime = new Map();
    for (const s of series || []) for (const p of s.points) {
      const t = p.time;
      const acc = byTime.get(t) || {};
      for (const f of fields) acc[f] = (acc[f] || 0) + (p.values[f] || 0);
      byTime.set(t, acc);
    }
    const times = [...byTime.keys()].sort();
    fields.forEach((f, i) => { out[i].points = times.map(t => ({ time: t, values: { v: byTime.get(t)[f] } })); });
    return out;
  }

  function plot(container, series, field, label) {
    if (!series || series.length === 0 || !window.uPlot) {
      container.textContent = 'No data in this range.';
      return;
    }
    const times = [...new Set(series.flatMap(s => s.points.map(p => p.time)))].sort();
    const index = new Map(times.map((t, i) => [t, i]));
    const data = [times.map(t => new Date(t).getTime() / 1000)];
    const colours = ['#1565c0', '#c84b00', '#2e7d32', '#6a1b9a', '#a10000', '#00838f', '#8a6d00'];
    const meta = [{}];
    series.forEach((s, i) => {
      const ys = new Array(times.length).fill(null);
      for (const p of s.points) ys[index.get(p.time)] = field ? p.values[field] : p.values.v;
      data.push(ys);
      meta.push({ label: label(s), stroke: colours[i % colours.length] });
    });
    new window.uPlot({ width: Math.min(1000, window.innerWidth - 60), height: 240, series: meta }, data, container);
  }

  // ---- firmware and advisories ----
  async function firmwareView(view) {
    const [cat, adv] = await Promise.all([api('GET', '/api/v1/firmware/catalog'), api('GET', '/api/v1/advisories')]);
    const ct = el('table', { id: 'catalog' }, el('tr', {}, ...['Model', 'Vendor', 'Latest', 'Releases', 'End of support'].map(h => el('th', {}, h))),
      ...cat.items.map(e => el('tr', {}, el('td', {}, e.model), el('td', {}, e.vendor || ''), el('td', {}, e.latestVersion), el('td', {}, e.releases.map(r => r.version).join(', ')), el('td', {}, fmt(e.endOfSupport)))));
    const at = el('table', { id: 'advisories' }, el('tr', {}, ...['Advisory', 'Severity', 'Model', 'Affected', 'Fixed', 'CVEs', 'Title', 'Devices'].map(h => el('th', {}, h))));
    for (const a of adv.items) {
      const devices = el('td', {});
      const btn = el('button', { type: 'button', onclick: async () => {
        const r = await api('GET', '/api/v1/advisories/' + encodeURIComponent(a.advisoryId) + '/devices');
        devices.replaceChildren(el('span', {}, r.items.length + ': ' + r.items.map(d => d.tenant + '/' + d.deviceId).join(', ')));
      } }, 'Affected devices');
      devices.appendChild(btn);
      at.appendChild(el('tr', {}, el('td', {}, a.advisoryId + (a.withdrawn ? ' (withdrawn)' : '')), el('td', { class: 'sev-' + a.severity }, a.severity), el('td', {}, a.model),
        el('td', {}, a.affectedVersions), el('td', {}, a.fixedVersion || ''), el('td', {}, (a.cveIds || []).join(', ')), el('td', {}, a.title), devices));
    }
    view.replaceChildren(el('h2', {}, 'Firmware catalog'), ct, el('h2', {}, 'Advisories'), at);
  }

  // ---- posture: fleet -> model -> device -> evidence ----
  const devLink = (key) => { const [t, i] = key.split('/'); return el('a', { href: '#/posture/device/' + encodeURIComponent(t) + '/' + encodeURIComponent(i), class: 'device-link' }, key); };
  function fleetTable(p, id, withModels) {
    const head = ['#', 'Guideline', 'Met', 'Not met', 'Not assessed'].concat(withModels ? ['By model'] : []).concat(['Failing devices']);
    return el('table', { id }, el('tr', {}, ...head.map(h => el('th', {}, h))),
      ...p.guidelines.map(g => el('tr', {}, el('td', {}, g.number), el('td', {}, g.title), el('td', { class: 'MET' }, g.met), el('td', { class: 'NOT_MET' }, g.notMet),
        el('td', { class: 'NOT_ASSESSED' }, g.notAssessed),
        withModels ? el('td', {}, ...Object.entries(g.byModel || {}).map(([m, c]) => el('div', {}, el('a', { href: '#/posture/model/' + encodeURIComponent(m), class: 'model-link' }, m), ' ' + c[0] + ' / ' + c[1] + ' / ' + c[2]))) : null,
        el('td', {}, ...g.failingDevices.slice(0, 20).flatMap(k => [devLink(k), ' ']), g.failingDevices.length > 20 ? '…' : ''))));
  }
  function downloads(path, name, formats) {
    return el('div', { class: 'filters' }, ...formats.map(fmtName => el('button', { type: 'button', id: 'download-' + name + '-' + fmtName, onclick: async () => {
      const text = await api('GET', path + (path.includes('?') ? '&' : '?') + 'format=' + fmtName);
      const blob = new Blob([typeof text === 'string' ? text : JSON.stringify(text, null, 2)], { type: fmtName === 'csv' ? 'text/csv' : 'application/json' });
      const a = el('a', { href: URL.createObjectURL(blob), download: name + '.' + fmtName });
      document.body.appendChild(a); a.click(); a.remove();
    } }, 'Download ' + name + ' ' + fmtName.toUpperCase())));
  }
  function pstiTable(st) {
    return el('table', { id: 'psti' }, el('tr', {}, ...['Requirement', 'Status', 'Evidence'].map(h => el('th', {}, h))),
      ...st.requirements.map(r => el('tr', {}, el('td', {}, r.id + ' ' + r.title), el('td', { class: r.status }, r.status), evidenceCell(r))));
  }
  async function postureView(view) {
    const p = await api('GET', '/api/v1/posture/fleet');
    const psti = await api('GET', '/api/v1/posture/psti');
    view.replaceChildren(el('h2', {}, 'Code of Practice posture'),
      downloads('/api/v1/posture/fleet', 'posture-fleet', ['json', 'csv']), downloads('/api/v1/posture/ics', 'ics-fleet', ['json', 'csv']),
      fleetTable(p, 'fleet-posture', true), el('h3', {}, 'UK PSTI statement'), pstiTable(psti));
  }
  async function postureModelView(view, model) {
    const q = encodeURIComponent(model);
    const p = await api('GET', '/api/v1/posture/fleet?model=' + q);
    const psti = await api('GET', '/api/v1/posture/psti?model=' + q);
    const devices = await api('GET', '/api/v1/devices?limit=200&model=' + q);
    const list = el('ul', { id: 'model-devices' }, ...devices.items.map(d => el('li', {}, devLink(d.tenant + '/' + d.deviceId), ' ' + (d.firmwareVersion || ''))));
    view.replaceChildren(el('h2', {}, 'Posture of model ' + model), el('p', {}, el('a', { href: '#/posture' }, '← fleet')),
      downloads('/api/v1/posture/ics?model=' + q, 'ics-' + model, ['json', 'csv']),
      fleetTable(p, 'model-posture', false), el('h3', {}, 'UK PSTI statement'), pstiTable(psti), el('h3', {}, 'Devices'), list);
  }
  async function postureDeviceView(view, tenant, id) {
    const p = await api('GET', '/api/v1/posture/devices/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(id));
    const t = el('table', { id: 'device-standings' }, el('tr', {}, ...['#', 'Guideline', 'EN 303 645', 'Standing', 'Evidence'].map(h => el('th', {}, h))),
      ...p.guidelines.map(g => el('tr', {}, el('td', {}, g.number), el('td', {}, g.title), el('td', {}, g.etsiProvision), el('td', { class: g.standing }, g.standing), evidenceCell(g))));
    view.replaceChildren(el('h2', {}, 'Posture of ' + tenant + '/' + id),
      el('p', {}, el('a', { href: '#/posture' }, '← fleet'), ' · ', el('a', { href: '#/devices/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(id) }, 'device page')), t);
  }

  // ---- CRA Article 14 ----
  async function craView(view) {
    const cases = await api('GET', '/api/v1/cra/cases');
    const reminders = await api('GET', '/api/v1/cra/reminders');
    const proposals = await api('GET', '/api/v1/cra/proposals');
    const rem = el('ul', { id: 'cra-reminders' }, ...reminders.items.map(r => el('li', { class: 'NOT_MET' }, r.caseId + ': ' + r.stage + ' due ' + fmt(r.due))));
    const t = el('table', { id: 'cra-cases' }, el('tr', {}, ...['Case', 'Advisory', 'Aware', 'Early warning (24 h)', 'Notification (72 h)', 'Final report (fix + 14 d)', 'Devices per tenant', 'Mitigation'].map(h => el('th', {}, h))),
      ...cases.items.map(v => el('tr', {}, el('td', {}, v.caseRecord.caseId), el('td', {}, v.caseRecord.advisoryId + ' ' + v.caseRecord.cveIds.join(', ')), el('td', {}, fmt(v.caseRecord.awareAt)),
        ...v.deadlines.map(d => el('td', { class: d.submitted ? 'MET' : d.overdue ? 'NOT_MET' : '' }, d.due ? fmt(d.due) : 'after the fix', d.submitted ? ' · submitted' : d.overdue ? ' · OVERDUE' : '')),
        el('td', {}, Object.entries(v.devicesPerTenant).map(([k, n]) => k + ': ' + n).join(', ')), el('td', {}, v.mitigation.status))));
    const prop = el('ul', { id: 'cra-proposals' }, ...proposals.items.map(p => el('li', {}, p.advisoryId + ' (' + p.cve + ') named by alert ', el('a', { href: '#/alert/' + encodeURIComponent(p.alertId) }, p.alertId))));
    view.replaceChildren(el('h2', {}, 'CRA Article 14 reporting'), el('h3', {}, 'Reminders'), rem, el('h3', {}, 'Cases'), t, el('h3', {}, 'Proposed (alerts naming an advisory\'s CVE)'), prop);
  }

  async function route() {
    if (!state.token) { logout(); return; }
    const view = document.getElementById('view');
    const hash = location.hash.split('?')[0];
    const parts = hash.replace(/^#\//, '').split('/').map(decodeURIComponent);
    document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', hash.startsWith(a.getAttribute('href'))));
    try {
      if (parts[0] === 'devices' && parts.length === 3) await deviceDetail(view, parts[1], parts[2]);
      else if (parts[0] === 'devices') await devicesView(view);
      else if (parts[0] === 'alert' && parts[1]) await alertDetail(view, parts[1]);
      else if (parts[0] === 'fleet') await fleetView(view);
      else if (parts[0] === 'firmware') await firmwareView(view);
      else if (parts[0] === 'posture' && parts[1] === 'model' && parts[2]) await postureModelView(view, parts[2]);
      else if (parts[0] === 'posture' && parts[1] === 'device' && parts.length === 4) await postureDeviceView(view, parts[2], parts[3]);
      else if (parts[0] === 'posture') await postureView(view);
      else if (parts[0] === 'cra') await craView(view);
      else await alertsView(view);
      view.setAttribute('data-loaded', hash);
    } catch (e) {
      if (e.message !== 'unauthorized') showError(e);
    }
  }

  document.getElementById('login-form').addEventListener('submit', ev => {
    ev.preventDefault();
    login(document.getElementById('token').value.trim());
  });
  document.getElementById('logout').addEventListener('click', () => logout());
  window.addEventListener('hashchange', route);
  if (state.token) login(state.token); else logout();
})();
