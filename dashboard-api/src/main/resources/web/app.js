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
      state.role = String(me.role || '').toLowerCase();
      document.getElementById('login-view').hidden = true;
      document.getElementById('nav').hidden = false;
      if (!location.hash || location.hash === '#/') location.hash = '#/alerts';
      route();
    } catch (e) {
      if (e.message !== 'unauthorized') logout(e.message);
      else document.getElementById('login-error').textContent = 'Token refused.';
    }
  }

  // Times in the viewer's zone; the exact UTC instant on hover (title) and in datetime.
  const localFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
  function fmt(t) { return t ? localFmt.format(new Date(t)) : ''; }
  function utc(t) { return t ? new Date(t).toISOString().replace('T', ' ').substring(0, 19) + ' UTC' : ''; }
  function when(t) { return t ? el('time', { datetime: new Date(t).toISOString(), title: utc(t) }, fmt(t)) : el('span', {}, ''); }

  // ---- alerts ----
  const PAGE = 50;
  function labelled(id, text, control) {
    return el('span', { class: 'field' }, el('label', { for: id }, text), control);
  }
  function subjectOf(a) {
    return a.deviceId ? el('a', { href: '#/devices/' + encodeURIComponent(a.tenant) + '/' + encodeURIComponent(a.deviceId) }, a.tenant + '/' + a.deviceId)
      : el('span', {}, a.tenant + ' ' + (a.cohortDimension || '') + '=' + (a.cohortValue || ''));
  }
  function isIncident(a, members) { return (members || 0) > 0 || (!a.deviceId && !!a.cohortDimension); }
  function alertRow(a, members) {
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
    const incident = isIncident(a, members);
    const summary = el('td', {}, a.summary);
    if (incident) {
      summary.prepend(el('a', { href: '#/incident/' + encodeURIComponent(a.alertId), class: 'incident-link' }, 'Incident · ' + (members || 0) + ' member alerts'), ' ');
    }
    const row = el('tr', { 'data-alert-id': a.alertId, class: incident ? 'incident' : null },
      el('td', { 'data-sort': a.openedAt }, when(a.openedAt)), el('td', { class: 'sev-' + a.severity, 'data-sort': String(SEV_RANK[a.severity] || 0) }, a.severity),
      el('td', {}, a.ruleId), el('td', {}, subjectOf(a)), summary, el('td', { class: 'status status-' + a.status }, a.status),
      el('td', {}, a.assignee || ''), actions);
    row.members = members || 0;
    row.view = a;
    return row;
  }
  const SEV_RANK = { INFO: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };

  // Sortable table: each header is a button; sorts the rows of the tbody by the cell's data-sort or text.
  function sortable(table, body) {
    table.querySelectorAll('thead th').forEach((th, i) => {
      if (th.dataset.nosort) return;
      const label = th.textContent;
      const b = el('button', { type: 'button', class: 'sort' }, label);
      th.replaceChildren(b);
      th.setAttribute('aria-sort', 'none');
      b.addEventListener('click', () => {
        const asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('thead th').forEach(o => o.setAttribute('aria-sort', 'none'));
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        const key = r => { const c = r.children[i]; return c ? (c.dataset.sort || c.textContent) : ''; };
        const rows = [...body.children].sort((x, y) => { const a = key(x), b2 = key(y); const n = (a > b2) - (a < b2); return asc ? n : -n; });
        body.replaceChildren(...rows);
      });
    });
  }

  async function alertsView(view) {
    const g = view.generation;
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const status = el('select', { id: 'f-status' }, ...['', 'OPEN', 'ACKNOWLEDGED', 'RESOLVED'].map(s => el('option', { value: s }, s || 'any status')));
    const severity = el('select', { id: 'f-severity' }, ...['', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map(s => el('option', { value: s }, s || 'any severity')));
    const rule = el('input', { id: 'f-rule', placeholder: 'e.g. RES-OFF-001' });
    const device = el('input', { id: 'f-device', placeholder: 'device id' });
    const grouped = el('input', { id: 'f-group', type: 'checkbox' });
    status.value = params.get('status') || '';
    severity.value = params.get('severity') || '';
    rule.value = params.get('rule') || '';
    device.value = params.get('device') || '';
    grouped.checked = params.get('group') !== 'flat';
    const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const query = (off) => {
      const q = new URLSearchParams();
      if (status.value) q.set('status', status.value);
      if (severity.value) q.set('severity', severity.value);
      if (rule.value) q.set('rule', rule.value);
      if (device.value) q.set('device', device.value);
      if (!grouped.checked) q.set('group', 'flat');
      if (off) q.set('offset', String(off));
      return q;
    };
    const form = el('form', { class: 'filters', id: 'alert-filters' }, labelled('f-status', 'Status', status), labelled('f-severity', 'Severity', severity),
      labelled('f-rule', 'Rule', rule), labelled('f-device', 'Device', device), labelled('f-group', 'Group by incident', grouped),
      el('button', { id: 'f-apply', type: 'submit' }, 'Filter'));
    form.addEventListener('submit', ev => { ev.preventDefault(); location.hash = '#/alerts?' + query(0).toString(); });
    const table = el('table', { id: 'alert-table' }, el('thead', {}, el('tr', {},
      ...['Opened', 'Severity', 'Rule', 'Subject', 'Summary', 'Status', 'Assignee', 'Actions'].map(h => el('th', { scope: 'col', 'data-nosort': h === 'Actions' ? '1' : null }, h)))));
    const body = el('tbody');
    table.appendChild(body);
    sortable(table, body);
    const liveState = el('span', { id: 'live-state', class: 'live-state', role: 'status', 'data-state': 'connecting' }, 'connecting…');
    const total = el('p', { id: 'alert-total' }, '');
    const pager = el('nav', { class: 'pager', 'aria-label': 'pages' });
    view.replaceChildren(el('h2', {}, 'Alert queue ', liveState), form, total, table, pager);
    const q = query(offset);
    q.delete('group');
    if (grouped.checked && !device.value) q.set('toplevel', 'true');
    q.set('limit', String(PAGE));
    const page = await api('GET', '/api/v1/alerts?' + q.toString());
    total.textContent = page.total + (grouped.checked && !device.value ? ' incidents and alerts' : ' alerts') + (page.total > PAGE ? ' · showing ' + (offset + 1) + '–' + Math.min(page.total, offset + PAGE) : '');
    for (const a of page.items) body.appendChild(alertRow(a, (page.members || {})[a.alertId]));
    if (offset > 0) pager.appendChild(el('a', { href: '#/alerts?' + query(Math.max(0, offset - PAGE)).toString(), id: 'page-prev' }, '← newer'));
    if (offset + PAGE < page.total) pager.appendChild(el('a', { href: '#/alerts?' + query(offset + PAGE).toString(), id: 'page-next' }, 'older →'));
    // live: new and changed alerts without reload
    const matches = a => (!severity.value || a.severity === severity.value) && (!rule.value || a.ruleId === rule.value)
      && (!device.value || a.deviceId === device.value) && (!status.value || a.status === status.value);
    startLive(g, liveState, a => {
      const existing = body.querySelector('tr[data-alert-id="' + CSS.escape(a.alertId) + '"]');
      if (existing) {
        const row = alertRow(a, existing.members);
        row.classList.add('changed');
        existing.replaceWith(row);
        return;
      }
      if (grouped.checked && !device.value && a.parentAlertId) {
        const parent = body.querySelector('tr[data-alert-id="' + CSS.escape(a.parentAlertId) + '"]');
        if (parent && matches(a)) {
          // a member new to this page: one more on its incident's count
          parent.replaceWith(alertRow(parent.view, parent.members + 1));
        }
        return;
      }
      if (offset === 0 && matches(a)) {
        const row = alertRow(a, 0);
        row.classList.add('new');
        body.prepend(row);
      }
    });
  }

  // ---- live alert stream (server-sent events over fetch, so the token stays in the Authorization header) ----
  const live = { ctrl: null, timer: null };
  function stopLive() {
    if (live.ctrl) live.ctrl.abort();
    live.ctrl = null;
    clearTimeout(live.timer);
  }
  function startLive(g, stateEl, onAlert) {
    let attempt = 0;
    const setState = (st, text) => { stateEl.dataset.state = st; stateEl.textContent = text; };
    async function connect() {
      if (!isCurrent(g)) return;
      const ctrl = new AbortController();
      live.ctrl = ctrl;
      setState('connecting', attempt ? 'reconnecting…' : 'connecting…');
      try {
        const r = await fetch('/api/v1/alert-events', { headers: { 'Authorization': 'Bearer ' + state.token, 'Accept': 'text/event-stream' }, signal: ctrl.signal });
        if (r.status === 401) { logout('Your session is not valid any more; log in again.'); return; }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n/g, '\n');
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).replace(/^ /, '');
            }
            if (!isCurrent(g)) return;
            if (event === 'hello') { attempt = 0; setState('live', 'live'); }
            else if (event === 'alert' && data) onAlert(JSON.parse(data));
          }
        }
      } catch (e) {
        if (ctrl.signal.aborted) return;
      }
      if (!isCurrent(g) || ctrl.signal.aborted) return;
      attempt++;
      setState('offline', 'offline · reconnecting');
      live.timer = setTimeout(connect, Math.min(30000, 1000 * 2 ** Math.min(attempt, 5)));
    }
    connect();
  }

  async function act(alertId, action, body) {
    try {
      await api('POST', '/api/v1/alerts/' + encodeURIComponent(alertId) + '/' + action, body);
      showError(null);
      route();
    } catch (e) { showError(e); }
  }

  // ---- incident: the cohort alert, its member alerts, affected devices, timeline, evidence, one set of actions ----
  async function incidentView(view, id) {
    const [inc, members] = await Promise.all([api('GET', '/api/v1/alerts/' + encodeURIComponent(id)),
      api('GET', '/api/v1/alerts?limit=500&parent=' + encodeURIComponent(id))]);
    const all = [inc, ...members.items];
    const devices = [...new Map(members.items.filter(a => a.deviceId).map(a => [a.tenant + '/' + a.deviceId, a])).values()];
    const evidence = el('table', { id: 'incident-evidence' }, ...Object.entries(inc.evidence || {}).map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v))));
    const timeline = [];
    timeline.push({ at: inc.openedAt, what: 'incident opened: ' + inc.summary });
    for (const m of members.items) {
      timeline.push({ at: m.openedAt, what: 'member ' + m.ruleId + ' on ' + (m.deviceId ? m.tenant + '/' + m.deviceId : m.tenant) + ' opened' });
      if (m.resolvedAt) timeline.push({ at: m.resolvedAt, what: 'member ' + m.alertId + ' resolved' });
    }
    for (const h of inc.history || []) timeline.push({ at: h.at, what: h.action + ' by ' + h.actor + (h.detail ? ': ' + h.detail : '') });
    if (inc.resolvedAt) timeline.push({ at: inc.resolvedAt, what: 'incident resolved' });
    timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const result = el('p', { id: 'incident-result', role: 'status' });
    async function bulk(label, action, body, applies) {
      const targets = all.filter(applies);
      if (!window.confirm(label + ' the incident and its ' + (targets.length - (applies(inc) ? 1 : 0)) + ' member alerts?')) return;
      let ok = 0; const failed = [];
      for (const a of targets) {
        try { await api('POST', '/api/v1/alerts/' + encodeURIComponent(a.alertId) + '/' + action, body); ok++; } catch (e) { failed.push(a.alertId + ': ' + e.message); }
      }
      if (failed.length) showError(new Error(label + ' failed for ' + failed.join('; ')));
      await route();
      const r = document.getElementById('incident-result');
      if (r) r.textContent = label + ': ' + ok + ' alerts updated' + (failed.length ? ', ' + failed.length + ' failed' : '');
    }
    const comment = el('input', { id: 'incident-comment' });
    const assignee = el('input', { id: 'incident-assignee' });
    const actions = el('div', { class: 'filters', id: 'incident-actions' },
      el('button', { type: 'button', id: 'incident-ack', onclick: () => bulk('Acknowledge', 'acknowledge', {}, a => a.status === 'OPEN') }, 'Acknowledge all'),
      el('button', { type: 'button', id: 'incident-resolve-tp', onclick: () => bulk('Resolve (true positive)', 'resolve', { resolution: 'true-positive' }, a => a.status !== 'RESOLVED') }, 'Resolve all (TP)'),
      el('button', { type: 'button', id: 'incident-resolve-fp', onclick: () => bulk('Resolve (false positive)', 'resolve', { resolution: 'false-positive' }, a => a.status !== 'RESOLVED') }, 'Resolve all (FP)'),
      el('button', { type: 'button', id: 'incident-reopen', onclick: () => bulk('Reopen', 'reopen', {}, a => a.status === 'RESOLVED') }, 'Reopen all'),
      labelled('incident-assignee', 'Assignee', assignee),
      el('button', { type: 'button', id: 'incident-assign', onclick: () => bulk('Assign', 'assign', { assignee: assignee.value }, () => true) }, 'Assign all'),
      labelled('incident-comment', 'Comment', comment),
      el('button', { type: 'button', id: 'incident-comment-add', onclick: () => bulk('Comment', 'comments', { text: comment.value }, () => true) }, 'Comment on all'));
    const memberTable = el('table', { id: 'incident-members' }, el('thead', {}, el('tr', {}, ...['Opened', 'Severity', 'Rule', 'Subject', 'Summary', 'Status', 'Assignee', 'Actions'].map(h => el('th', { scope: 'col' }, h)))));
    const mbody = el('tbody', {}, ...members.items.map(a => alertRow(a, 0)));
    memberTable.appendChild(mbody);
    view.replaceChildren(el('h2', {}, 'Incident: ' + inc.ruleName + ' (' + inc.ruleId + ')'),
      el('div', { class: 'card' }, el('p', {}, inc.summary), el('p', {}, 'Status: ', el('span', { class: 'status status-' + inc.status, id: 'incident-status' }, inc.status),
        ' · severity ', inc.severity, ' · scope ', subjectOf(inc), ' · opened ', when(inc.openedAt), inc.assignee ? ' · assigned to ' + inc.assignee : ''),
        el('p', {}, el('a', { href: '#/alert/' + encodeURIComponent(id) }, 'incident alert and its history'))),
      el('h3', {}, 'Triage the whole incident'), actions, result,
      el('h3', {}, 'Affected devices (', el('span', { id: 'incident-device-count' }, String(devices.length)), ')'),
      el('ul', { id: 'incident-devices' }, ...devices.map(a => el('li', {}, subjectOf(a)))),
      el('h3', {}, 'Member alerts (' + members.total + ')'), memberTable,
      el('h3', {}, 'Timeline'), el('ol', { id: 'incident-timeline' }, ...timeline.map(t => el('li', {}, when(t.at), ' ', t.what))),
      el('h3', {}, 'Evidence'), evidence);
  }

  async function alertDetail(view, id) {
    const a = await api('GET', '/api/v1/alerts/' + encodeURIComponent(id));
    const evidence = el('table', {}, ...Object.entries(a.evidence || {}).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
    const history = el('table', { id: 'history' }, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'Who'), el('th', {}, 'Action'), el('th', {}, 'Detail')),
      ...(a.history || []).map(h => el('tr', {}, el('td', {}, fmt(h.at)), el('td', {}, h.actor), el('td', {}, h.action), el('td', {}, h.detail || ''))));
    const comment = el('input', { id: 'comment-text', 'aria-label': 'comment' });
    const assignee = el('input', { id: 'assignee', 'aria-label': 'assignee' });
    view.replaceChildren(el('h2', {}, a.ruleName + ' (' + a.ruleId + ')'),
      el('div', { class: 'card' }, el('p', {}, a.summary), el('p', {}, 'Status: ', el('span', { class: 'status status-' + a.status, id: 'alert-status' }, a.status),
        ' · severity ', a.severity, ' · guidelines ', (a.guidelines || []).join(', '), a.mitreTechnique ? ' · ATT&CK ' + a.mitreTechnique : ''),
        a.parentAlertId ? el('p', {}, 'Part of ', el('a', { href: '#/incident/' + encodeURIComponent(a.parentAlertId), id: 'parent-incident' }, 'incident ' + a.parentAlertId)) : null,
        !a.deviceId && a.cohortDimension ? el('p', {}, el('a', { href: '#/incident/' + encodeURIComponent(a.alertId), id: 'incident-view' }, 'incident view: members, devices, timeline')) : null),
      el('h3', {}, 'Evidence'), evidence,
      el('h3', {}, 'Triage'), el('div', { class: 'filters' }, comment,
        el('button', { type: 'button', onclick: () => act(id, 'comments', { text: comment.value }) }, 'Comment'), assignee,
        el('button', { type: 'button', onclick: () => act(id, 'assign', { assignee: assignee.value }) }, 'Assign')),
      history);
  }

  // ---- devices ----
  async function devicesView(view) {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const q = el('input', { id: 'device-q', placeholder: 'id, model, firmware' });
    const connected = el('select', { id: 'device-connected' }, el('option', { value: '' }, 'any'), el('option', { value: 'true' }, 'connected'), el('option', { value: 'false' }, 'disconnected'));
    q.value = params.get('q') || '';
    connected.value = params.get('connected') || '';
    const query = off => {
      const u = new URLSearchParams();
      if (q.value) u.set('q', q.value);
      if (connected.value) u.set('connected', connected.value);
      if (off) u.set('offset', String(off));
      return u;
    };
    const form = el('form', { class: 'filters', id: 'device-filters' }, labelled('device-q', 'Search', q), labelled('device-connected', 'Connection', connected),
      el('button', { type: 'submit', id: 'device-search' }, 'Search'));
    form.addEventListener('submit', ev => { ev.preventDefault(); location.hash = '#/devices?' + query(0).toString(); });
    const table = el('table', { id: 'device-table' }, el('thead', {}, el('tr', {}, ...['Device', 'Model', 'Firmware', 'Connected', 'Last seen', 'Risk', 'Control'].map(h => el('th', { scope: 'col' }, h)))));
    const body = el('tbody');
    table.appendChild(body);
    sortable(table, body);
    const total = el('p', { id: 'device-total' });
    const pager = el('nav', { class: 'pager', 'aria-label': 'device pages' });
    view.replaceChildren(el('h2', {}, 'Devices'), form, total, table, pager);
    const u = query(offset);
    u.set('limit', String(PAGE));
    const page = await api('GET', '/api/v1/devices?' + u.toString());
    total.textContent = page.total + ' devices' + (page.total > PAGE ? ' · showing ' + (offset + 1) + '–' + Math.min(page.total, offset + PAGE) : '');
    for (const d of page.items) {
      body.appendChild(el('tr', {}, el('td', {}, el('a', { href: '#/devices/' + encodeURIComponent(d.tenant) + '/' + encodeURIComponent(d.deviceId) }, d.tenant + '/' + d.deviceId)),
        el('td', {}, d.model || ''), el('td', {}, d.firmwareVersion || ''), el('td', {}, d.connected ? 'yes' : 'no'), el('td', { 'data-sort': d.lastSeen || '' }, when(d.lastSeen)),
        el('td', { 'data-sort': String(d.riskScore).padStart(4, '0') }, d.riskScore), el('td', {}, d.control.revoked ? 'revoked' : d.control.quarantined ? 'quarantined' : '')));
    }
    if (offset > 0) pager.appendChild(el('a', { href: '#/devices?' + query(Math.max(0, offset - PAGE)).toString(), id: 'device-prev' }, '← previous'));
    if (offset + PAGE < page.total) pager.appendChild(el('a', { href: '#/devices?' + query(offset + PAGE).toString(), id: 'device-next' }, 'next →'));
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
    // alert and control timeline: every alert of the device, and (analysts) the device's audit chain of control actions
    const [history, controls] = await Promise.all([
      api('GET', '/api/v1/alerts?limit=200&tenant=' + encodeURIComponent(tenant) + '&device=' + encodeURIComponent(id)),
      state.role !== 'viewer' && d.control.lastAction ? api('GET', '/api/v1/audit?chain=' + encodeURIComponent('device:' + tenant + '/' + id)) : Promise.resolve({ entries: [] })]);
    const events = [];
    for (const a of history.items) {
      events.push({ at: a.openedAt, kind: 'alert', node: el('span', {}, 'alert opened: ', el('a', { href: '#/alert/' + encodeURIComponent(a.alertId) }, a.severity + ' ' + a.ruleId), ' ' + a.summary + ' (' + a.status + ')') });
      if (a.resolvedAt) events.push({ at: a.resolvedAt, kind: 'alert', node: el('span', {}, 'alert ' + a.ruleId + ' resolved') });
    }
    for (const e of controls.entries || []) events.push({ at: e.at, kind: 'control', node: el('span', {}, 'control: ' + e.action + ' by ' + e.actor + (e.detail ? ' — ' + e.detail : '')) });
    events.sort((x, y) => Date.parse(y.at) - Date.parse(x.at));
    const timeline = el('ol', { id: 'device-timeline' }, ...events.map(e => el('li', { class: 'event-' + e.kind }, when(e.at), ' ', e.node)));
    const base = '/api/v1/devices/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(id);
    const control = d.control.revoked ? 'revoked' : d.control.quarantined ? 'quarantined' : 'normal';
    async function respond(action) {
      if (!window.confirm(action[0].toUpperCase() + action.substring(1) + ' ' + tenant + '/' + id + '?')) return;
      try { await api('POST', base + '/' + action, { reason: 'from dashboard' }); route(); } catch (e) { showError(e); }
    }
    const posture = el('table', { id: 'device-posture' }, el('tr', {}, el('th', {}, '#'), el('th', {}, 'Guideline'), el('th', {}, 'Standing'), el('th', {}, 'Evidence')),
      ...(d.posture || []).map(g => el('tr', {}, el('td', {}, g.number), el('td', {}, g.title), el('td', { class: g.standing }, g.standing), evidenceCell(g))));
    const alerts = el('ul', {}, ...(d.openAlerts || []).map(a => el('li', {}, el('a', { href: '#/alert/' + encodeURIComponent(a.alertId) }, a.severity + ' ' + a.ruleId + ': ' + a.summary))));
    const chart = el('div', { id: 'device-chart', class: 'chart' });
    const netChart = el('div', { id: 'device-net-chart', class: 'chart' });
    view.replaceChildren(el('h2', {}, tenant + '/' + id),
      el('div', { class: 'card' },
        el('p', {}, 'Model ', d.model || '?', ' · firmware ', d.firmwareVersion || '?', ' · region ', d.region || '?'),
        el('p', {}, 'Connected: ', d.connected ? 'yes' : 'no', ' · last seen ', when(d.lastSeen), ' · broker ', d.brokerId || '?', ' · address ', d.sourceAddress || '?', ' · risk ', d.riskScore),
        el('p', { id: 'device-certificate' }, 'Certificate valid until ', d.certificateNotAfter ? when(d.certificateNotAfter) : 'unknown',
          d.certificateNotAfter && Date.parse(d.certificateNotAfter) < Date.now() ? el('strong', { class: 'NOT_MET' }, ' (expired)') : ''),
        el('p', {}, 'Control state: ', el('strong', { id: 'control-state' }, control), d.control.issuedBy ? ' (by ' + d.control.issuedBy + ', ' + fmt(d.control.issuedAt) + ')' : ''),
        el('button', { type: 'button', id: 'quarantine', onclick: () => respond('quarantine') }, 'Quarantine'),
        el('button', { type: 'button', id: 'release', onclick: () => respond('release') }, 'Release'),
        el('button', { type: 'button', id: 'revoke', onclick: () => respond('revoke') }, 'Revoke')),
      el('h3', {}, 'Open alerts'), alerts, el('h3', {}, 'Health'), chart, netChart,
      el('h3', {}, 'Alert and control timeline'), timeline,
      el('h3', {}, 'Posture'), el('p', {}, el('a', { href: '#/posture/device/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(id) }, 'posture with evidence')), posture);
    const s = d.health && d.health.series && d.health.series[0];
    if (d.health && d.health.from) {
      const pts = f => ({ name: f, points: s ? s.points.map(p => ({ time: p.time, values: { v: p.values[f] } })) : [] });
      plot(chart, s ? [pts('cpu_percent'), pts('memory_percent')] : [], null, x => x.name === 'cpu_percent' ? 'cpu %' : 'memory %', d.health.from, d.health.to);
      if (s) {
        plot(netChart, [pts('bytes_in_per_s'), pts('bytes_out_per_s')], null, x => x.name.replace(/_/g, ' '), d.health.from, d.health.to);
      } else {
        netChart.textContent = '';
      }
    } else {
      chart.textContent = 'Health series unavailable.';
    }
  }

  // ---- fleet ----
  async function fleetView(view) {
    const range = el('select', { id: 'range', 'aria-label': 'time window' }, ...[['PT6H', 'last 6 hours'], ['PT24H', 'last 24 hours'], ['P7D', 'last 7 days']].map(([v, l]) => el('option', { value: v }, l)));
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
    plot(online, h.cohorts, 'online', s => (s.tags.tenant || '') + ' ' + (s.tags.dimension || '') + '=' + (s.tags.cohort || ''), h.from, h.to);
    plot(churn, sumSeries(h.connectivity, ['connects', 'disconnects']), null, s => s.name, h.from, h.to);
    plot(alerts, h.alertCounts, 'open', s => (s.tags.tenant || '') + ' ' + (s.tags.severity || 'all') + ' open', h.from, h.to);
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

  // One uPlot chart. x values are epoch SECONDS (uPlot's time unit) and the x scale is pinned to the
  // requested window [from, to], so a window with few points is not auto-ranged around them. The chart
  // exposes what it drew: data-x-min/-max (the scale), data-series (labels), data-points, and the
  // uPlot instance as container.uplot.
  function plot(container, series, field, label, from, to) {
    const xMin = Date.parse(from) / 1000;
    const xMax = Date.parse(to) / 1000;
    container.dataset.xMin = String(xMin);
    container.dataset.xMax = String(xMax);
    if (!series || series.length === 0 || !window.uPlot) {
      container.dataset.series = '[]';
      container.dataset.points = '0';
      container.textContent = 'No data in this range.';
      return;
    }
    const times = [...new Set(series.flatMap(s => s.points.map(p => Date.parse(p.time))))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const data = [times.map(t => t / 1000)];
    const colours = ['#1565c0', '#c84b00', '#2e7d32', '#6a1b9a', '#a10000', '#00838f', '#8a6d00'];
    const meta = [{}];
    series.forEach((s, i) => {
      const ys = new Array(times.length).fill(null);
      for (const p of s.points) ys[index.get(Date.parse(p.time))] = field ? p.values[field] : p.values.v;
      data.push(ys);
      meta.push({ label: label(s), stroke: colours[i % colours.length] });
    });
    const u = new window.uPlot({ width: Math.min(1000, window.innerWidth - 60), height: 240,
      scales: { x: { time: true, range: () => [xMin, xMax] } }, series: meta }, data, container);
    container.uplot = u;
    container.dataset.series = JSON.stringify(meta.slice(1).map(m => m.label));
    container.dataset.points = String(data.slice(1).reduce((n, ys) => n + ys.filter(v => v !== null && v !== undefined).length, 0));
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

  // Each navigation renders into its own fresh container; a render still awaiting the API when the
  // user navigates on keeps writing into its own (detached) container and its result and errors are
  // dropped, so async renders never race on one node.
  let generation = 0;
  function isCurrent(g) { return g === generation; }
  async function route() {
    if (!state.token) { logout(); return; }
    const g = ++generation;
    stopLive();
    const root = document.getElementById('view');
    const view = el('div', { class: 'page' });
    view.generation = g;
    root.replaceChildren(view);
    root.removeAttribute('data-loaded');
    root.setAttribute('aria-busy', 'true');
    showError(null);
    const hash = location.hash.split('?')[0];
    const parts = hash.replace(/^#\//, '').split('/').map(decodeURIComponent);
    document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', hash.startsWith(a.getAttribute('href'))));
    try {
      if (parts[0] === 'devices' && parts.length === 3) await deviceDetail(view, parts[1], parts[2]);
      else if (parts[0] === 'devices') await devicesView(view);
      else if (parts[0] === 'alert' && parts[1]) await alertDetail(view, parts[1]);
      else if (parts[0] === 'incident' && parts[1]) await incidentView(view, parts[1]);
      else if (parts[0] === 'fleet') await fleetView(view);
      else if (parts[0] === 'firmware') await firmwareView(view);
      else if (parts[0] === 'posture' && parts[1] === 'model' && parts[2]) await postureModelView(view, parts[2]);
      else if (parts[0] === 'posture' && parts[1] === 'device' && parts.length === 4) await postureDeviceView(view, parts[2], parts[3]);
      else if (parts[0] === 'posture') await postureView(view);
      else if (parts[0] === 'cra') await craView(view);
      else await alertsView(view);
      if (isCurrent(g)) {
        root.setAttribute('data-loaded', hash);
        root.removeAttribute('aria-busy');
      }
    } catch (e) {
      if (isCurrent(g) && e.message !== 'unauthorized') {
        root.removeAttribute('aria-busy');
        showError(e);
      }
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
