// The orchestrator console: the task list with its state tabs, filters and
// live updates, a task's detail and timeline, the overview, and the
// actions (cancel, retry, cancel by filter). One module, no build step, no
// library: it is served from the server binary as written here.
//
// Everything a task says (bot ids, labels, URLs, errors, results) reaches
// the page as text nodes, never as HTML: `el()` below is the only way this
// file makes elements, and it has no way to parse markup.

const PAGE_SIZE = 50;
const STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const UNFINISHED = ['PENDING', 'RUNNING'];

// ---- elements --------------------------------------------------------

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element, for the overview's chart. */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else {
      node.setAttribute(name, String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const $ = (id) => document.getElementById(id);

function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

// ---- the server ------------------------------------------------------

const session = { current: null };

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** A request to the console's API: JSON in, JSON out, the CSRF token on
 * every change; a 401 sends the page back to the sign-in. */
async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && session.current) headers['X-CSRF-Token'] = session.current.csrf_token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (response.status === 204) return null;
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { detail: `the server answered ${response.status} with something that is not JSON` };
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && path !== '/console/api/session') signedOut('Your session ended: sign in again.');
    throw error;
  }
  return data;
}

// ---- formatting ------------------------------------------------------

function when(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  const seconds = Math.round((Date.now() - at.getTime()) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return at.toLocaleString();
}

function timeEl(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: iso, title: new Date(iso).toLocaleString() }, when(iso));
}

function badge(state) {
  return el('span', { class: `badge state-${state.toLowerCase()}` }, state);
}

function labelChips(labels) {
  const entries = Object.entries(labels || {});
  if (entries.length === 0) return el('span', { class: 'muted' }, '—');
  return el('ul', { class: 'chips', 'aria-label': 'Labels' },
    entries.map(([k, v]) => el('li', { class: 'chip' }, `${k}=${v}`)));
}

function progressEl(task) {
  if (task.state !== 'RUNNING') return el('span', { class: 'muted' }, '—');
  const percent = task.progress_percent ?? 0;
  return el('div', { class: 'progress' },
    el('progress', { max: 100, value: percent, 'aria-label': `${percent}% done` }),
    el('span', { class: 'percent' }, `${percent}%`),
    task.progress_message ? el('span', { class: 'progress-message' }, task.progress_message) : null);
}

/** `task-3f1c9a2e…`: enough of an id to tell tasks apart in a list. */
function shortId(id) {
  return id.length > 15 ? `${id.slice(0, 13)}…` : id;
}

function taskHref(task) {
  const tenant = session.current?.operator ? `?tenant=${encodeURIComponent(task.tenant)}` : '';
  return `#/tasks/${encodeURIComponent(task.task_id)}${tenant}`;
}

function toast(message, kind = 'info', link = null) {
  const box = $('toast');
  clear(box);
  box.className = `toast show ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  append(box, [el('span', {}, message), link]);
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = 'toast'; }, kind === 'error' ? 9000 : 6000);
}

function failed(error) {
  toast(error instanceof ApiError ? error.message : `The server could not be reached (${error.message}).`, 'error');
}

// ---- the confirmation dialog ---------------------------------------

function confirmAction(title, text, yes) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = yes;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    $('confirm-no').focus();
  });
}

// ---- the live feed --------------------------------------------------

const live = { source: null, query: null, onTask: null, onResync: null, status: null };

/** Follows the console's event stream for `query`; on a dropped stream
 * the browser reconnects, and the view reads its data again. */
function follow(query, onTask, onResync, statusNode) {
  live.onTask = onTask;
  live.onResync = onResync;
  live.status = statusNode;
  if (live.source && live.query === query) {
    if (live.source.readyState === EventSource.OPEN) showLive(true);
    return;
  }
  stopFollowing();
  live.query = query;
  const source = new EventSource(`/console/api/events?${query}`);
  live.source = source;
  let dropped = false;
  source.addEventListener('open', () => {
    showLive(true);
    if (dropped) live.onResync?.();
    dropped = false;
  });
  source.addEventListener('error', () => {
    showLive(false);
    dropped = true;
  });
  source.addEventListener('task', (event) => {
    try {
      live.onTask?.(JSON.parse(event.data));
    } catch (e) {
      console.warn('an event the console could not read', e);
    }
  });
  source.addEventListener('resync', () => live.onResync?.());
}

function showLive(on) {
  if (!live.status) return;
  live.status.textContent = on ? 'Live' : 'Reconnecting…';
  live.status.className = `live ${on ? 'on' : 'off'}`;
}

function stopFollowing() {
  if (live.source) live.source.close();
  live.source = null;
  live.query = null;
}

/** Runs `fn` at most once per `ms`, the last call winning. */
function throttled(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}

// ---- the task list --------------------------------------------------

const list = {
  params: new URLSearchParams(),
  cursors: [null],
  page: 0,
  rows: new Map(),
  tasks: new Map(),
  counts: null,
};

/** The filter's query: the hash's parameters, without the state tab when
 * `withState` is false. */
function filterQuery(params, withState) {
  const q = new URLSearchParams();
  for (const [k, v] of params) {
    if (k === 'status' && !withState) continue;
    if (v !== '') q.append(k, v);
  }
  return q.toString();
}

function currentTab() {
  return list.params.get('status') || '';
}

const TABS = [['', 'All']].concat(STATES.map((s) => [s, s.charAt(0) + s.slice(1).toLowerCase()]));

/** The state tabs: made once, then updated in place (so a tab keeps the
 * keyboard's focus while counts arrive). */
function renderTabs() {
  const tabs = $('state-tabs');
  if (!tabs.firstChild) {
    TABS.forEach(([state, name], i) => {
      tabs.append(el('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${state || 'all'}`,
        'data-state': state,
        class: `tab ${state ? `tab-${state.toLowerCase()}` : ''}`,
        onclick: () => selectTab(state),
        onkeydown: (event) => {
          const move = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: TABS.length - 1 - i }[event.key];
          if (move === undefined) return;
          event.preventDefault();
          selectTab(TABS[(i + move + TABS.length) % TABS.length][0], true);
        },
      }, el('span', { class: 'tab-name' }, name), ' ', el('span', { class: 'count' }, '…')));
    });
  }
  const counts = list.counts?.counts || {};
  const cap = list.counts?.capped_at;
  const shown = (n) => (n === undefined ? '…' : n >= cap ? `${cap.toLocaleString()}+` : n.toLocaleString());
  const total = STATES.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  const anyCapped = STATES.some((s) => (counts[s] ?? 0) >= cap);
  const selected = currentTab();
  for (const [state] of TABS) {
    const tab = $(`tab-${state || 'all'}`);
    const isSelected = state === selected;
    tab.setAttribute('aria-selected', isSelected ? 'true' : 'false');
    tab.setAttribute('tabindex', isSelected ? '0' : '-1');
    const count = state ? shown(counts[state]) : list.counts ? `${total.toLocaleString()}${anyCapped ? '+' : ''}` : '…';
    tab.querySelector('.count').textContent = count;
  }
}

function selectTab(state, keepFocus) {
  const params = new URLSearchParams(list.params);
  if (state) params.set('status', state); else params.delete('status');
  if (keepFocus) $(`tab-${state || 'all'}`)?.focus();
  go(`#/tasks${params.toString() ? `?${params}` : ''}`);
}

function columns() {
  const cols = [];
  if (session.current?.operator) cols.push(['tenant', 'Tenant']);
  cols.push(['id', 'Task'], ['state', 'State'], ['progress', 'Progress'], ['bot', 'Bot'],
    ['action', 'Action'], ['labels', 'Labels'], ['created', 'Submitted']);
  if (!session.current?.read_only) cols.push(['actions', 'Actions']);
  return cols;
}

function renderHead() {
  const head = $('task-head');
  clear(head);
  for (const [, name] of columns()) head.append(el('th', { scope: 'col' }, name));
}

function actionButtons(task, where) {
  if (session.current?.read_only) return [];
  const buttons = [];
  if (UNFINISHED.includes(task.state)) {
    buttons.push(el('button', {
      type: 'button',
      class: 'small danger',
      'aria-label': `Cancel task ${task.task_id}`,
      onclick: () => cancelOne(task, where),
    }, 'Cancel'));
  }
  if (task.state === 'FAILED' || task.state === 'CANCELLED') {
    buttons.push(el('button', {
      type: 'button',
      class: 'small',
      'aria-label': `Retry task ${task.task_id}`,
      onclick: () => retryOne(task, where),
    }, 'Retry'));
  }
  return buttons;
}

function rowCells(task) {
  const cells = {
    tenant: () => task.tenant,
    id: () => el('a', { href: taskHref(task), class: 'mono', title: task.task_id, 'aria-label': task.task_id }, shortId(task.task_id)),
    state: () => badge(task.state),
    progress: () => progressEl(task),
    bot: () => el('span', { class: 'mono' }, task.bot_id),
    action: () => task.action,
    labels: () => labelChips(task.labels),
    created: () => timeEl(task.created_at),
    actions: () => el('div', { class: 'row-actions' }, actionButtons(task, 'list')),
  };
  return columns().map(([key, name]) => el('td', { 'data-label': name, class: `col-${key}` }, cells[key]()));
}

function makeRow(task) {
  const row = el('tr', { 'data-id': task.task_id, 'data-state': task.state }, rowCells(task));
  list.rows.set(task.task_id, row);
  list.tasks.set(task.task_id, task);
  return row;
}

function updateRow(task) {
  const row = list.rows.get(task.task_id);
  if (!row) return;
  list.tasks.set(task.task_id, task);
  row.setAttribute('data-state', task.state);
  clear(row);
  append(row, [rowCells(task)]);
}

function renderRows(tasks) {
  const body = $('task-rows');
  clear(body);
  list.rows.clear();
  list.tasks.clear();
  for (const task of tasks) body.append(makeRow(task));
  $('no-tasks').hidden = tasks.length > 0;
}

function updateSummary() {
  const shown = list.rows.size;
  const what = describeFilter(list.params);
  $('list-summary').textContent = `${what.charAt(0).toUpperCase()}${what.slice(1)}, newest first: ${shown} on this page`;
}

/** The filter's conditions in words, without its state. */
function filterWords(params) {
  const names = { bot_id: 'bot', action: 'action', label: 'label', tenant: 'tenant', created_after: 'submitted after', created_before: 'submitted before' };
  const parts = [];
  for (const [k, v] of params) {
    if (k === 'status') continue;
    const shown = k.startsWith('created_') ? new Date(v).toLocaleString() : v;
    parts.push(`${names[k] || k} ${shown}`);
  }
  return parts.join(', ');
}

function describeFilter(params) {
  const tab = params.get('status');
  const words = filterWords(params);
  return `${tab || 'all'} tasks${words ? ` with ${words}` : ''}`;
}

async function loadCounts() {
  try {
    list.counts = await call('GET', `/console/api/counts?${filterQuery(list.params, false)}`);
    renderTabs();
    updateCancelMatching();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) failed(error);
  }
}

const refreshCounts = throttled(loadCounts, 1000);

function updateCancelMatching() {
  const button = $('cancel-matching');
  const tab = currentTab();
  const filtered = [...list.params.keys()].length > 0;
  button.hidden = session.current?.read_only || !filtered || (tab && !UNFINISHED.includes(tab));
}

async function loadPage() {
  const q = new URLSearchParams(filterQuery(list.params, true));
  q.set('limit', String(PAGE_SIZE));
  const cursor = list.cursors[list.page];
  if (cursor) q.set('cursor', cursor);
  const started = performance.now();
  try {
    const page = await call('GET', `/console/api/tasks?${q}`);
    renderRows(page.tasks);
    if (list.cursors.length === list.page + 1) list.cursors.push(page.next_cursor || null);
    else list.cursors[list.page + 1] = page.next_cursor || null;
    $('older').disabled = !page.next_cursor;
    $('newer').disabled = list.page === 0;
    $('page-number').textContent = `Page ${list.page + 1}`;
    updateSummary();
    // For the tests, the benchmark and anyone curious: how long this page
    // of the list took (asked for to shown), and when it was shown, in ms
    // since the page's navigation began.
    document.body.setAttribute('data-list-ms', String(Math.round(performance.now() - started)));
    document.body.setAttribute('data-list-rendered', String(Math.round(performance.now())));
    document.body.setAttribute('data-list-loaded', String(Date.now()));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) failed(error);
  }
}

function onListEvent({ kind, task }) {
  if (list.rows.has(task.task_id)) {
    updateRow(task);
  } else if (kind === 'submitted' && list.page === 0 && !list.params.get('created_before')) {
    const tab = currentTab();
    if (!tab || tab === task.state) {
      const body = $('task-rows');
      body.prepend(makeRow(task));
      $('no-tasks').hidden = true;
      while (body.rows.length > PAGE_SIZE) {
        const last = body.rows[body.rows.length - 1];
        list.rows.delete(last.getAttribute('data-id'));
        list.tasks.delete(last.getAttribute('data-id'));
        last.remove();
      }
      updateSummary();
    }
  }
  refreshCounts();
}

function fillFilters(params) {
  $('f-bot').value = params.get('bot_id') || '';
  $('f-action').value = params.get('action') || '';
  $('f-labels').value = params.getAll('label').join(', ');
  const local = (iso) => {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  };
  $('f-after').value = local(params.get('created_after'));
  $('f-before').value = local(params.get('created_before'));
  const tenantField = $('tenant-field');
  tenantField.hidden = !session.current?.operator;
  if (session.current?.operator) {
    const select = $('f-tenant');
    const current = params.get('tenant') || '';
    clear(select);
    select.append(el('option', { value: '' }, 'Every tenant'));
    for (const t of session.current.tenants) select.append(el('option', { value: t, selected: t === current }, t));
  }
}

function filtersFromForm() {
  const params = new URLSearchParams();
  const tab = currentTab();
  if (tab) params.set('status', tab);
  if (session.current?.operator && $('f-tenant').value) params.set('tenant', $('f-tenant').value);
  if ($('f-bot').value.trim()) params.set('bot_id', $('f-bot').value.trim());
  if ($('f-action').value.trim()) params.set('action', $('f-action').value.trim());
  for (const pair of $('f-labels').value.split(',')) {
    if (pair.trim()) params.append('label', pair.trim());
  }
  const iso = (value) => (value ? new Date(value).toISOString() : '');
  if ($('f-after').value) params.set('created_after', iso($('f-after').value));
  if ($('f-before').value) params.set('created_before', iso($('f-before').value));
  return params;
}

async function showTasks(params) {
  const same = filterQuery(params, true) === filterQuery(list.params, true) && list.cursors.length > 1;
  if (!same) {
    list.params = params;
    list.cursors = [null];
    list.page = 0;
  }
  list.params = params;
  fillFilters(params);
  renderHead();
  renderTabs();
  updateCancelMatching();
  follow(filterQuery(params, false), onListEvent, () => { loadPage(); loadCounts(); }, $('live-state'));
  await Promise.all([loadPage(), loadCounts()]);
}

// ---- actions --------------------------------------------------------

function tenantQuery(task) {
  return session.current?.operator ? `?tenant=${encodeURIComponent(task.tenant)}` : '';
}

async function cancelOne(task, where) {
  const ok = await confirmAction('Cancel this task?',
    `Task ${task.task_id} (${task.state}, bot ${task.bot_id}) will be cancelled. Its waiters are told it was cancelled; this cannot be undone.`,
    'Cancel task');
  if (!ok) return;
  try {
    const row = await call('POST', `/console/api/tasks/${encodeURIComponent(task.task_id)}/cancel${tenantQuery(task)}`);
    toast(`Cancelled ${row.task_id}.`);
    if (where === 'list') updateRow(row); else loadDetail();
    refreshCounts();
  } catch (error) {
    failed(error);
  }
}

async function retryOne(task, where) {
  const ok = await confirmAction('Retry this task?',
    `Task ${task.task_id} (${task.state}) will be submitted again as a new task, with the same bot, input and labels.`,
    'Retry task');
  if (!ok) return;
  try {
    const fresh = await call('POST', `/console/api/tasks/${encodeURIComponent(task.task_id)}/retry${tenantQuery(task)}`);
    const link = el('a', { href: taskHref(fresh), id: 'retried-link', class: 'mono' }, fresh.task_id);
    toast('Retried as ', 'info', link);
    if (where === 'detail') {
      detail.retriedAs = fresh;
      loadDetail();
    }
    refreshCounts();
  } catch (error) {
    failed(error);
  }
}

async function cancelMatching() {
  const tab = currentTab();
  let counts;
  try {
    counts = await call('GET', `/console/api/counts?${filterQuery(list.params, false)}`);
  } catch (error) {
    failed(error);
    return;
  }
  const states = tab ? [tab] : UNFINISHED;
  const n = states.reduce((sum, s) => sum + (counts.counts[s] ?? 0), 0);
  if (n === 0) {
    toast('No unfinished task matches this filter.');
    return;
  }
  const many = n >= counts.capped_at ? `${n.toLocaleString()} or more` : n.toLocaleString();
  const ok = await confirmAction(`Cancel ${many} ${n === 1 ? 'task' : 'tasks'}?`,
    `Every ${states.join(' or ')} task with ${filterWords(list.params)} will be cancelled: ${many} now. Their waiters are told they were cancelled; this cannot be undone.`,
    `Cancel ${many} ${n === 1 ? 'task' : 'tasks'}`);
  if (!ok) return;
  try {
    const done = await call('POST', `/console/api/tasks/cancel?${filterQuery(list.params, true)}`);
    toast(`Cancelled ${done.cancelled} tasks.`);
    loadPage();
    loadCounts();
  } catch (error) {
    failed(error);
  }
}

// ---- a task's detail --------------------------------------------------

const detail = { id: null, tenant: null, task: null, retriedAs: null };

function field(name, ...value) {
  return [el('dt', {}, name), el('dd', {}, value)];
}

function resultView(result) {
  if (!result || typeof result !== 'object') return el('p', { class: 'muted' }, 'No result.');
  const parts = [];
  if (typeof result.summary === 'string') parts.push(...field('Summary', el('p', { class: 'summary-text' }, result.summary)));
  if (result.sentiment !== undefined) {
    const score = typeof result.sentiment_score === 'number' ? ` (${result.sentiment_score >= 0 ? '+' : ''}${result.sentiment_score.toFixed(2)})` : '';
    parts.push(...field('Sentiment', `${result.sentiment}${score}`));
  }
  if (Array.isArray(result.entities)) {
    parts.push(...field('Entities', result.entities.length
      ? el('ul', { class: 'chips' }, result.entities.map((e) => el('li', { class: 'chip' }, String(e))))
      : el('span', { class: 'muted' }, 'none')));
  }
  if (result.word_count !== undefined) parts.push(...field('Words', String(result.word_count)));
  if (result.sentence_count !== undefined) parts.push(...field('Sentences', String(result.sentence_count)));
  if (result.media_type !== undefined) parts.push(...field('Read as', String(result.media_type)));
  return parts.length ? el('dl', { class: 'fields' }, parts) : el('p', { class: 'muted' }, 'A result without the analysis fields; see the raw JSON.');
}

function rawToggle(name, value) {
  const id = `raw-${name}`;
  const pre = el('pre', { id, class: 'raw', hidden: true }, JSON.stringify(value, null, 2));
  const button = el('button', {
    type: 'button',
    class: 'quiet small',
    'aria-expanded': 'false',
    'aria-controls': id,
    onclick: () => {
      const open = pre.hidden;
      pre.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      button.textContent = open ? 'Hide raw JSON' : 'Show raw JSON';
    },
  }, 'Show raw JSON');
  return [button, pre];
}

function timelineView(entries, truncated) {
  // A long run reports progress many times: the first two and the last two
  // show, the rest behind a button.
  const progress = entries.filter((e) => e.kind === 'progress');
  const folded = progress.length > 6 ? new Set(progress.slice(2, -2)) : new Set();
  const items = entries.map((e) => el('li', { class: `event event-${e.kind}`, hidden: folded.has(e) },
    el('time', { datetime: e.at, title: new Date(e.at).toLocaleString() }, new Date(e.at).toLocaleTimeString()),
    ' ',
    el('span', { class: 'event-kind' }, e.kind),
    ' ',
    badge(e.state),
    e.kind === 'started' ? ` claimed by ${e.instance || 'an instance'} on attempt ${e.attempt}` : '',
    e.kind === 'requeued' ? ` taken back after attempt ${e.attempt}` : '',
    e.kind === 'progress' ? ` ${e.progress_percent ?? 0}%${e.progress_message ? ` — ${e.progress_message}` : ''}` : ''));
  const list = el('ol', { class: 'timeline', id: 'timeline' }, items);
  const unfold = folded.size ? el('button', {
    type: 'button',
    class: 'quiet small',
    'aria-controls': 'timeline',
    onclick: (event) => {
      for (const item of list.querySelectorAll('li[hidden]')) item.hidden = false;
      event.currentTarget.remove();
    },
  }, `Show ${folded.size} more progress events`) : null;
  return [list, unfold,
    truncated ? el('p', { class: 'muted' }, 'Only the first events are shown.') : null];
}

function webhookView(webhook) {
  if (!webhook) return el('p', { class: 'muted' }, 'No webhook.');
  return el('dl', { class: 'fields' },
    field('URL', el('span', { class: 'mono break' }, webhook.url)),
    field('Delivery', webhook.state || 'not yet due'),
    field('Attempts', String(webhook.attempts ?? 0)),
    webhook.last_error ? field('Last error', webhook.last_error) : null,
    webhook.delivered_at ? field('Delivered', timeEl(webhook.delivered_at)) : null,
    webhook.next_attempt_at ? field('Next try', timeEl(webhook.next_attempt_at)) : null);
}

function renderDetail(task) {
  const box = $('detail');
  clear(box);
  $('detail-title').textContent = `Task ${task.task_id}`;
  const head = el('dl', { class: 'fields head-fields' },
    field('State', badge(task.state)),
    session.current?.operator ? field('Tenant', task.tenant) : null,
    field('Bot', el('span', { class: 'mono' }, task.bot_id)),
    field('Action', task.action),
    field('Labels', labelChips(task.labels)),
    field('Submitted', timeEl(task.created_at)),
    field('Started', timeEl(task.started_at)),
    field('Finished', timeEl(task.completed_at)),
    field('Attempts', String(task.attempts)),
    task.retry_of ? field('Retry of', el('a', {
      href: taskHref({ task_id: task.retry_of, tenant: task.tenant }),
      class: 'mono',
      id: 'retry-of-link',
    }, task.retry_of)) : null,
    detail.retriedAs ? field('Retried as', el('a', {
      href: taskHref(detail.retriedAs),
      class: 'mono',
      id: 'retried-as-link',
    }, detail.retriedAs.task_id)) : null);
  const actions = el('div', { class: 'row-actions detail-actions' }, actionButtons(task, 'detail'));
  box.append(head, actions);
  if (task.state === 'RUNNING') box.append(el('section', { 'aria-label': 'Progress' }, progressEl(task)));
  if (task.error) {
    box.append(el('section', { class: 'card error-card', 'aria-labelledby': 'error-title' },
      el('h2', { id: 'error-title' }, 'Error'),
      el('dl', { class: 'fields' },
        field('Code', el('span', { class: 'mono' }, task.error.code || '')),
        field('Message', el('span', { class: 'error-message' }, task.error.message || '')))));
  }
  if (task.state === 'COMPLETED') {
    box.append(el('section', { class: 'card', 'aria-labelledby': 'result-title' },
      el('h2', { id: 'result-title' }, 'Result'), resultView(task.result), rawToggle('result', task.result)));
  }
  const input = task.input || {};
  box.append(el('section', { class: 'card', 'aria-labelledby': 'input-title' },
    el('h2', { id: 'input-title' }, 'Input'),
    typeof input.document_url === 'string'
      ? el('dl', { class: 'fields' }, field('Document URL', el('span', { class: 'mono break' }, input.document_url)))
      : null,
    rawToggle('input', input)));
  box.append(el('section', { class: 'card', 'aria-labelledby': 'webhook-title' },
    el('h2', { id: 'webhook-title' }, 'Webhook'), webhookView(task.webhook)));
  box.append(el('section', { class: 'card', 'aria-labelledby': 'timeline-title' },
    el('h2', { id: 'timeline-title' }, 'Timeline'), timelineView(task.timeline || [], task.timeline_truncated)));
}

async function loadDetail() {
  const q = detail.tenant ? `?tenant=${encodeURIComponent(detail.tenant)}` : '';
  try {
    const task = await call('GET', `/console/api/tasks/${encodeURIComponent(detail.id)}${q}`);
    detail.task = task;
    renderDetail(task);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      clear($('detail'));
      $('detail-title').textContent = 'No such task';
      $('detail').append(el('p', {}, `There is no task ${detail.id} here (or it was deleted by the retention sweep).`));
    } else if (!(error instanceof ApiError && error.status === 401)) {
      failed(error);
    }
  }
}

const reloadDetail = throttled(loadDetail, 300);

async function showDetail(id, params) {
  if (detail.id !== id) detail.retriedAs = null;
  detail.id = id;
  detail.tenant = params.get('tenant');
  const q = new URLSearchParams();
  q.append('task', id);
  if (detail.tenant) q.set('tenant', detail.tenant);
  follow(q.toString(), () => reloadDetail(), () => reloadDetail(), $('detail-live'));
  await loadDetail();
}

// ---- the overview ---------------------------------------------------

function chart(activity, bucketMinutes) {
  const width = 640;
  const height = 200;
  const left = 36;
  const bottom = 24;
  const plotH = height - bottom - 8;
  const plotW = width - left - 8;
  const max = Math.max(1, ...activity.map((b) => b.completed + b.failed + b.cancelled));
  const barW = plotW / Math.max(1, activity.length);
  const y = (n) => 8 + plotH - (n / max) * plotH;
  const bars = activity.map((b, i) => {
    const x = left + i * barW + 2;
    const w = Math.max(1, barW - 4);
    let base = 0;
    const stack = [['completed', b.completed], ['failed', b.failed], ['cancelled', b.cancelled]].map(([kind, n]) => {
      const rect = svg('rect', { x, y: y(base + n), width: w, height: Math.max(0, y(base) - y(base + n)), class: `bar bar-${kind}` },
        svg('title', {}, `${new Date(b.start).toLocaleTimeString()}: ${n} ${kind}`));
      base += n;
      return rect;
    });
    const label = i % 3 === 0
      ? svg('text', { x: x + w / 2, y: height - 6, class: 'axis', 'text-anchor': 'middle' },
        new Date(b.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }))
      : null;
    return svg('g', {}, stack, label);
  });
  const total = (k) => activity.reduce((s, b) => s + b[k], 0);
  return svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-labelledby': 'chart-title chart-desc',
  },
  svg('title', { id: 'chart-title' }, `Tasks finished in the last hour, per ${bucketMinutes} minutes`),
  svg('desc', { id: 'chart-desc' }, `${total('completed')} completed, ${total('failed')} failed, ${total('cancelled')} cancelled.`),
  svg('line', { x1: left, y1: 8 + plotH, x2: width - 8, y2: 8 + plotH, class: 'axis-line' }),
  svg('text', { x: left - 6, y: 16, class: 'axis', 'text-anchor': 'end' }, String(max)),
  svg('text', { x: left - 6, y: 8 + plotH, class: 'axis', 'text-anchor': 'end' }, '0'),
  bars);
}

function statCard(name, value, kind) {
  return el('div', { class: `stat ${kind || ''}` }, el('span', { class: 'stat-value' }, value.toLocaleString()), el('span', { class: 'stat-name' }, name));
}

function renderOverview(o) {
  const box = $('overview');
  clear(box);
  box.append(el('div', { class: 'stats' },
    statCard('Queued (PENDING)', o.pending, 'pending'),
    statCard('Running', o.running, 'running'),
    statCard('Completed, last hour', o.completed_last_hour, 'completed'),
    statCard('Failed, last hour', o.failed_last_hour, 'failed'),
    statCard('Cancelled, last hour', o.cancelled_last_hour, 'cancelled')));
  box.append(el('section', { class: 'card', 'aria-labelledby': 'activity-title' },
    el('h2', { id: 'activity-title' }, 'Finished in the last hour'),
    chart(o.activity, o.bucket_minutes),
    el('ul', { class: 'legend' },
      el('li', { class: 'legend-completed' }, 'completed'),
      el('li', { class: 'legend-failed' }, 'failed'),
      el('li', { class: 'legend-cancelled' }, 'cancelled'))));
  if (session.current?.operator) {
    const rows = o.instances.map((i) => el('tr', {},
      el('td', { 'data-label': 'Instance', class: 'mono' }, i.id),
      el('td', { 'data-label': 'Workers' }, String(i.workers)),
      el('td', { 'data-label': 'Started' }, timeEl(i.started_at)),
      el('td', { 'data-label': 'Last heartbeat' }, timeEl(i.heartbeat_at)),
      el('td', { 'data-label': 'Status' }, el('span', { class: `badge ${i.alive ? 'state-completed' : 'state-failed'}` }, i.alive ? 'alive' : 'silent'))));
    box.append(el('section', { class: 'card', 'aria-labelledby': 'instances-title' },
      el('h2', { id: 'instances-title' }, 'Instances'),
      rows.length
        ? el('div', { class: 'table-wrap' }, el('table', { class: 'instances' },
          el('thead', {}, el('tr', {}, ['Instance', 'Workers', 'Started', 'Last heartbeat', 'Status'].map((n) => el('th', { scope: 'col' }, n)))),
          el('tbody', {}, rows)))
        : el('p', { class: 'muted' }, 'No instance has reported yet.')));
  }
  $('overview-updated').textContent = `Updated ${new Date(o.now).toLocaleTimeString()}`;
}

const overview = { timer: null };

async function loadOverview() {
  try {
    renderOverview(await call('GET', '/console/api/overview'));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) failed(error);
  }
}

const reloadOverview = throttled(loadOverview, 2000);

async function showOverview() {
  follow('', () => reloadOverview(), () => reloadOverview(), $('overview-updated'));
  clearInterval(overview.timer);
  overview.timer = setInterval(loadOverview, 5000);
  await loadOverview();
}

// ---- sign-in and routing -----------------------------------------------

function showView(name) {
  for (const id of ['sign-in-view', 'tasks-view', 'detail-view', 'overview-view']) {
    $(id).hidden = id !== `${name}-view`;
  }
  $('nav-tasks').setAttribute('aria-current', name === 'tasks' || name === 'detail' ? 'page' : 'false');
  $('nav-overview').setAttribute('aria-current', name === 'overview' ? 'page' : 'false');
  if (name !== 'overview') clearInterval(overview.timer);
}

function signedOut(message) {
  session.current = null;
  stopFollowing();
  clearInterval(overview.timer);
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  showView('sign-in');
  $('sign-in-error').textContent = message || '';
  $('api-key').focus();
}

function signedIn(view) {
  session.current = view;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  const role = [view.operator ? 'operator' : null, view.read_only ? 'read-only' : null].filter(Boolean).join(', ');
  $('who').textContent = `${view.tenant}${role ? ` (${role})` : ''}`;
  document.body.classList.toggle('read-only', view.read_only);
}

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

async function route() {
  if (!session.current) {
    signedOut();
    return;
  }
  const hash = location.hash.replace(/^#/, '') || '/tasks';
  const [path, query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  const detailMatch = path.match(/^\/tasks\/(.+)$/);
  if (detailMatch) {
    showView('detail');
    await showDetail(decodeURIComponent(detailMatch[1]), params);
    $('detail-title').focus();
  } else if (path === '/overview') {
    showView('overview');
    await showOverview();
    $('overview-title').focus();
  } else {
    const wasShown = !$('tasks-view').hidden;
    showView('tasks');
    await showTasks(params);
    if (!wasShown) $('tasks-title').focus();
  }
  document.body.setAttribute('data-ready', 'true');
}

async function start() {
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = $('api-key').value;
    $('sign-in-error').textContent = '';
    try {
      const view = await call('POST', '/console/api/session', { key });
      $('api-key').value = '';
      signedIn(view);
      route();
    } catch (error) {
      $('sign-in-error').textContent = error instanceof ApiError ? error.message : `The server could not be reached (${error.message}).`;
    }
  });
  $('sign-out').addEventListener('click', async () => {
    try {
      await call('DELETE', '/console/api/session');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) failed(error);
    }
    signedOut('Signed out.');
  });
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const params = filtersFromForm();
    go(`#/tasks${params.toString() ? `?${params}` : ''}`);
  });
  $('clear-filters').addEventListener('click', () => go('#/tasks'));
  $('older').addEventListener('click', () => { list.page += 1; loadPage(); });
  $('newer').addEventListener('click', () => { list.page = Math.max(0, list.page - 1); loadPage(); });
  $('cancel-matching').addEventListener('click', cancelMatching);
  window.addEventListener('hashchange', route);
  // A page left for another keeps no stream open (over HTTP/1.1 a browser
  // has six connections to a server, and a page kept in its back-forward
  // cache would hold one each); one shown again reads its data again.
  window.addEventListener('pagehide', stopFollowing);
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && session.current) route();
  });
  // Relative times move on.
  setInterval(() => {
    for (const node of document.querySelectorAll('time[datetime]')) {
      if (!node.closest('.timeline')) node.textContent = when(node.getAttribute('datetime'));
    }
  }, 15000);
  let who = null;
  try {
    who = await call('GET', '/console/api/session');
  } catch (error) {
    failed(error);
  }
  if (!who?.signed_in) {
    signedOut();
    document.body.setAttribute('data-ready', 'true');
    return;
  }
  signedIn(who);
  route();
}

start();
