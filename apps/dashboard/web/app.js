// The dashboard page: one socket.io connection; the network picture once, then frames and statuses, each
// acknowledged after it is drawn (the server's per-browser window), and `watch` to pick the area and plotted buses.
/* global requestAnimationFrame, location, URLSearchParams, Option */
import { io } from '/socket.io/socket.io.esm.min.js';
import { legendGradient, SERIES_COLOURS, VM_HIGH_PU, VM_LOW_PU } from './colors.js';
import { GridDrawing } from './graph.js';
import { drawPlot } from './plot.js';
import { ReplayPanel } from './replay.js';

const MAX_PLOT_POINTS = 600;
const MAX_PLOTTED_BUSES = 8;
const $ = (id) => document.getElementById(id);

const state = {
  picture: null,
  frame: null,
  values: null,
  status: null,
  area: 'all',
  chosen: [],
  series: emptySeries(),
  lastSlot: null,
  acks: [],
  drawScheduled: false,
};

const drawing = new GridDrawing($('grid'), $('tooltip'), { onBusClick: toggleBus });
const token = new URLSearchParams(location.search).get('token');
const socket = io({ auth: token === null ? {} : { token } });
const replay = new ReplayPanel(socket, $('panel-replay'), () => state.picture?.buses.map((b) => b.id) ?? []);

socket.on('connect', () => {
  setConnection('live', true);
  watch(state.lastSlot);
});
socket.on('disconnect', () => setConnection('reconnecting', false));
socket.on('connect_error', (e) => setConnection(`refused: ${e.message}`, false));
socket.on('network', (picture) => {
  state.picture = picture;
  $('case-name').textContent = `· ${picture.caseName} · ${picture.buses.length} buses`;
  if (state.chosen.length === 0) state.chosen = defaultBuses(picture);
  drawing.setPicture(picture);
  buildTable();
  watch(null);
});
socket.on('frame', (frame, ack) => schedule(() => applyFrame(frame), ack));
socket.on('status', (status, ack) => schedule(() => applyStatus(status), ack));

for (const button of document.querySelectorAll('.panels nav button'))
  button.addEventListener('click', () => openPanel(button.dataset.panel));
$('area').addEventListener('change', (e) => {
  state.area = e.target.value === 'all' ? 'all' : Number(e.target.value);
  watch(state.lastSlot);
});
$('legend').innerHTML =
  `<span>${VM_LOW_PU}</span><span class="bar" style="background:${legendGradient()}"></span><span>${VM_HIGH_PU} pu</span><span>· grey: not observable</span>`;

/** Draws at the next animation frame and only then acknowledges, so a page that cannot keep up slows its feed. */
function schedule(apply, ack) {
  apply();
  if (typeof ack === 'function') state.acks.push(ack);
  if (state.drawScheduled) return;
  state.drawScheduled = true;
  requestAnimationFrame(() => {
    state.drawScheduled = false;
    render();
    for (const a of state.acks.splice(0)) a();
  });
}

function setConnection(text, good) {
  const pill = $('connection');
  pill.textContent = text;
  pill.dataset.state = good ? 'live' : 'down';
  pill.className = `pill ${good ? 'pill-good' : 'pill-bad'}`;
}

function watch(sinceSlot) {
  if (!socket.connected || state.picture === null) return;
  const buses = [...state.chosen];
  socket.emit('watch', { area: state.area, buses, sinceSlot }, (reply) => {
    if (reply.error) return void console.warn(`watch refused: ${reply.error}`);
    if (sinceSlot === null) state.series = emptySeries();
    mergeHistory(reply.history, buses);
    render();
  });
}

function defaultBuses(picture) {
  const last = picture.buses.length - 1;
  return [...new Set([picture.referenceBus, Math.floor(last / 2), last])].filter((b) => b >= 0);
}

function toggleBus(b) {
  const i = state.chosen.indexOf(b);
  if (i >= 0) state.chosen.splice(i, 1);
  else if (state.chosen.length < MAX_PLOTTED_BUSES) state.chosen.push(b);
  else return;
  watch(null);
  render();
}

function emptySeries() {
  return { slots: [], times: [], byBus: new Map() };
}

function seriesOf(bus) {
  let s = state.series.byBus.get(bus);
  if (s === undefined) {
    const n = state.series.slots.length;
    s = {
      vm: new Array(n).fill(NaN),
      va: new Array(n).fill(NaN),
      truthVm: new Array(n).fill(NaN),
      truthVa: new Array(n).fill(NaN),
    };
    state.series.byBus.set(bus, s);
  }
  return s;
}

function pushPoint(slot, timeSec, perBus) {
  const sr = state.series;
  if (sr.slots.length > 0 && slot <= sr.slots[sr.slots.length - 1]) return;
  for (const bus of state.chosen) seriesOf(bus); // a newly chosen bus starts as gaps up to now
  sr.slots.push(slot);
  sr.times.push(timeSec);
  for (const [bus, s] of sr.byBus) {
    const p = perBus(bus);
    s.vm.push(p.vm);
    s.va.push(p.va);
    s.truthVm.push(p.truthVm ?? NaN);
    s.truthVa.push(p.truthVa ?? NaN);
  }
  if (sr.slots.length > MAX_PLOT_POINTS) {
    sr.slots.shift();
    sr.times.shift();
    for (const s of sr.byBus.values()) for (const k of ['vm', 'va', 'truthVm', 'truthVa']) s[k].shift();
  }
}

function mergeHistory(h, buses) {
  h.slots.forEach((slot, i) =>
    pushPoint(slot, h.timeSec[i], (bus) => {
      const s = h.buses[buses.indexOf(bus)];
      return s === undefined
        ? { vm: NaN, va: NaN }
        : { vm: s.vm[i], va: s.va[i], truthVm: s.truthVm[i], truthVa: s.truthVa[i] };
    }),
  );
  if (h.slots.length > 0) state.lastSlot = Math.max(state.lastSlot ?? -Infinity, h.slots[h.slots.length - 1]);
}

/** A frame for the whole system or one area, spread back to per-bus arrays (NaN where the view has no value). */
function applyFrame(frame) {
  const n = state.picture ? state.picture.buses.length : frame.vm.length;
  const full = () => new Array(n).fill(NaN);
  const v = {
    vm: full(),
    va: full(),
    observable: full(),
    truth: frame.truth ? { vm: full(), va: full() } : null,
  };
  const index = frame.buses ?? frame.vm.map((_, i) => i);
  index.forEach((b, i) => {
    v.vm[b] = frame.vm[i];
    v.va[b] = frame.va[i];
    v.observable[b] = frame.observable[i];
    if (v.truth) [v.truth.vm[b], v.truth.va[b]] = [frame.truth.vm[i], frame.truth.va[i]];
  });
  state.frame = frame;
  state.values = v;
  pushPoint(frame.slot, frame.timeSec, (bus) => ({
    vm: v.vm[bus],
    va: v.va[bus],
    truthVm: v.truth?.vm[bus],
    truthVa: v.truth?.va[bus],
  }));
  state.lastSlot = Math.max(state.lastSlot ?? -Infinity, frame.slot);
}

function applyStatus(status) {
  state.status = status;
  const select = $('area');
  if (select.options.length !== status.areaCount + 1) {
    select.innerHTML = '<option value="all">whole system</option>';
    for (let a = 0; a < status.areaCount; a += 1) select.add(new Option(`area ${a}`, String(a)));
    select.value = String(state.area);
  }
}

function render() {
  if (state.picture === null) return;
  drawing.setValues(state.values, state.frame?.openBranches ?? [], state.chosen);
  renderHeader();
  renderAlarms();
  renderTiles();
  renderPlots();
  renderTable();
  renderQuality();
  renderMembership();
}

function renderHeader() {
  const f = state.frame;
  if (!f) return;
  $('estimate-time').textContent = new Date(f.timeSec * 1000).toISOString().slice(11, 23);
  $('estimate-slot').textContent = String(f.slot);
  $('latency').textContent = `${f.latencyMs.toFixed(0)} ms`;
  $('grid').dataset.slot = String(f.slot);
  document.body.dataset.slot = String(f.slot);
}

function renderAlarms() {
  const list = [...(state.frame?.alarms ?? []).map((a) => ({ ...a, level: 'bad' }))];
  const s = state.status;
  if (s?.stale)
    list.unshift({
      kind: 'stale',
      level: 'bad',
      text:
        s.lastEstimateAgeMs === null
          ? 'no estimate yet'
          : `no estimate for ${(s.lastEstimateAgeMs / 1000).toFixed(1)} s`,
    });
  if (s && s.quality.incompleteEstimates > 0)
    list.push({
      kind: 'incomplete',
      level: 'warn',
      text: `${s.quality.incompleteEstimates} snapshot(s) closed without every area`,
    });
  const box = $('alarms');
  box.innerHTML = '';
  if (list.length === 0) box.innerHTML = '<span class="alarm alarm-ok">no alarms</span>';
  for (const a of list) {
    const el = document.createElement('span');
    el.className = `alarm alarm-${a.level}`;
    el.dataset.kind = a.kind;
    el.textContent = a.text;
    box.append(el);
  }
}

function tile(id, text, level) {
  const el = $(id);
  el.textContent = text;
  el.className = `value ${level ?? ''}`;
}

function renderTiles() {
  const f = state.frame;
  if (f) {
    tile(
      't-spread',
      `${f.angleSpreadDeg.toFixed(1)}°`,
      f.alarms.some((a) => a.kind === 'angle-spread') ? 'bad' : '',
    );
    tile(
      't-cost',
      `${f.cost.toFixed(1)} / ${f.costLimit === null ? '–' : f.costLimit.toFixed(1)}`,
      f.costLimit !== null && f.cost > f.costLimit ? 'bad' : '',
    );
    tile('t-bad', String(f.badDataRemoved), f.badDataRemoved > 0 ? 'warn' : '');
    tile('t-unobs', String(f.unobservableBuses), f.unobservableBuses > 0 ? 'bad' : '');
    tile('t-truth', f.truth ? `${f.truth.maxErrorPu.toFixed(4)} pu` : 'no truth', '');
    tile(
      't-open',
      f.openBranches.length === 0 ? 'none' : f.openBranches.map(branchName).join(', '),
      f.openBranches.length > 0 ? 'warn' : '',
    );
    tile('t-compute', `${f.computeMsMax.toFixed(2)} ms`);
  }
  const s = state.status;
  if (s) {
    const groups = new Map(s.membership.groups.map((g) => [g.name, g.members]));
    const alive = groups.get('service.estimator') ?? [];
    const workers = (groups.get('estimators') ?? []).filter((m) => alive.includes(m));
    tile('t-workers', `${workers.length} worker(s)`, workers.length === 0 ? 'bad' : '');
  }
}

function branchName(k) {
  const br = state.picture.branches[k];
  return br ? `${state.picture.buses[br.from].id}–${state.picture.buses[br.to].id}` : `#${k}`;
}

function renderPlots() {
  const chips = $('plot-buses');
  chips.innerHTML = '';
  state.chosen.forEach((bus, i) => {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.style.color = SERIES_COLOURS[i % SERIES_COLOURS.length];
    chip.textContent = `bus ${state.picture.buses[bus].id} ✕`;
    chip.title = 'stop plotting this bus';
    chip.addEventListener('click', () => toggleBus(bus));
    chips.append(chip);
  });
  const times = state.series.times;
  const pick = (k, t) =>
    state.chosen.map((bus, i) => ({
      colour: SERIES_COLOURS[i % SERIES_COLOURS.length],
      estimate: seriesOf(bus)[k],
      truth: seriesOf(bus)[t],
    }));
  drawPlot($('plot-vm'), { title: '|V|', unit: 'pu', times, series: pick('vm', 'truthVm'), digits: 4 });
  drawPlot($('plot-va'), {
    title: 'angle from the reference bus',
    unit: '°',
    times,
    series: pick('va', 'truthVa'),
    digits: 2,
  });
}

function buildTable() {
  const body = $('bus-table').querySelector('tbody');
  body.innerHTML = '';
  state.picture.buses.forEach((bus, b) => {
    const row = document.createElement('tr');
    row.dataset.busIndex = String(b);
    row.dataset.busId = String(bus.id);
    row.hidden = true; // until a frame gives it values
    row.innerHTML = `<td>${bus.id}</td><td class="area"></td><td class="vm"></td><td class="va"></td><td class="tvm"></td><td class="tva"></td>`;
    body.append(row);
  });
}

function renderTable() {
  const v = state.values;
  if (!v) return;
  const busArea = state.status?.busArea ?? [];
  for (const row of $('bus-table').querySelectorAll('tbody tr')) {
    const b = Number(row.dataset.busIndex);
    const known = Number.isFinite(v.vm[b]);
    row.hidden = !known;
    if (!known) continue;
    // Full precision in the data attributes (what tests compare); rounded for the eye.
    row.dataset.vm = String(v.vm[b]);
    row.dataset.va = String(v.va[b]);
    row.dataset.slot = String(state.frame.slot);
    row.querySelector('.area').textContent = busArea[b] >= 0 ? String(busArea[b]) : '–';
    row.querySelector('.vm').textContent = v.observable[b] === 1 ? v.vm[b].toFixed(4) : 'unobservable';
    row.querySelector('.va').textContent = v.observable[b] === 1 ? v.va[b].toFixed(2) : '–';
    row.querySelector('.tvm').textContent = v.truth ? v.truth.vm[b].toFixed(4) : '–';
    row.querySelector('.tva').textContent = v.truth ? v.truth.va[b].toFixed(2) : '–';
  }
}

function renderQuality() {
  const s = state.status;
  if (!s) return;
  const q = s.quality;
  const lat = q.latencyMs
    ? `${q.latencyMs.p50.toFixed(0)} / ${q.latencyMs.p99.toFixed(0)} / ${q.latencyMs.max.toFixed(0)} ms`
    : '–';
  const c = s.results.collector;
  const rows = q.pmus
    .map((p) => `<tr><td>${p.idcode}</td><td>${p.badDataRemoved}</td><td>${p.lastRemovedSlot}</td></tr>`)
    .join('');
  $('panel-quality').innerHTML = `
    <table class="quality-summary"><tbody>
      <tr><td class="text">snapshot to estimate latency p50 / p99 / max</td><td>${lat}</td></tr>
      <tr><td class="text">whole-system estimates assembled</td><td>${c.assembled}</td></tr>
      <tr><td class="text">snapshots closed without every area (areas missing)</td><td>${q.incompleteEstimates} (${q.missingAreas})</td></tr>
      <tr><td class="text">area results received / replica copies / late</td><td>${c.results} / ${c.duplicates} / ${c.late}</td></tr>
      <tr><td class="text">undecodable results</td><td>${s.results.undecodable}</td></tr>
    </tbody></table>
    <h4>Measurements removed as bad data, per PMU</h4>
    ${rows === '' ? '<p class="muted">none so far</p>' : `<table><thead><tr><th>PMU IDCODE</th><th>removed</th><th>last slot</th></tr></thead><tbody>${rows}</tbody></table>`}
    ${ingestQualityHtml(s.ingestQuality, s.atMs)}`;
}

const PMU_STATE_TEXT = {
  silent: 'silent',
  missing: 'missing frames',
  time: 'time quality',
  crc: 'CRC errors',
  late: 'late frames',
  ok: 'ok',
};

/** ingest's per-PMU figures (the ingest.quality group), worst first; data attributes carry the exact figures. */
function ingestQualityHtml(iq, nowMs) {
  if (!iq || iq.reports === 0)
    return '<h4>Per PMU, as ingest sees it</h4><p class="muted">no report from ingest yet</p>';
  const counts = Object.entries(iq.states)
    .map(
      ([state, n]) =>
        `<span class="pmu-state state-${state}" data-state="${state}" data-count="${n}">${PMU_STATE_TEXT[state]} ${n}</span>`,
    )
    .join(' ');
  const age = (ms) => (ms === 0 ? 'never' : `${Math.max(0, (nowMs - ms) / 1000).toFixed(1)} s ago`);
  const rows = iq.pmus
    .map(
      (p) =>
        `<tr class="ingest-pmu state-${p.state}" data-pmu="${p.pmuId}" data-state="${p.state}" data-ingest="${escape(p.ingest)}" data-seq="${p.seq}" data-missing="${p.missing}" data-late="${p.late}" data-crc="${p.crcErrors}" data-sync-lost="${p.syncLost}" data-time-quality="${p.lastTimeQualityCode}" data-p99="${p.latencyP99Ms}">` +
        `<td>${p.pmuId}</td><td class="text">${PMU_STATE_TEXT[p.state]}</td><td>${p.latencyP50Ms.toFixed(1)} / ${p.latencyP99Ms.toFixed(1)}</td>` +
        `<td>${p.missing} (+${p.recent.missing})</td><td>${p.late}</td><td>${p.crcErrors}</td>` +
        `<td>${p.lastTimeQualityCode.toString(16)} · ${p.syncLost} unlocked</td><td>${age(p.lastSeenMs)}</td><td class="text">${escape(p.source)}</td></tr>`,
    )
    .join('');
  const more =
    iq.tracked > iq.pmus.length
      ? `<p class="muted">the worst ${iq.pmus.length} of ${iq.tracked} PMUs</p>`
      : '';
  return `<h4>Per PMU, as ingest sees it <span class="muted">· ${iq.tracked} PMUs · ${iq.reports} reports${iq.invalidReports > 0 ? ` · ${iq.invalidReports} unreadable` : ''}</span></h4>
    <p id="pmu-state-counts">${counts}</p>
    <table id="ingest-quality"><thead><tr><th>PMU</th><th>state</th><th>latency p50 / p99 ms</th><th>missing (lately)</th><th>late</th><th>CRC</th><th>time quality · sync lost</th><th>last seen</th><th>source</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function renderMembership() {
  const s = state.status;
  if (!s) return;
  const m = s.membership;
  const groups = m.groups
    .map(
      (g) =>
        `<div class="group" data-group="${escape(g.name)}"><h4>${escape(g.name)} <span class="muted">· ${g.members.length} · view ${g.viewId}</span></h4><ul>${g.members.map((x) => `<li>${escape(x)}</li>`).join('')}</ul></div>`,
    )
    .join('');
  const events = [...m.events]
    .reverse()
    .map(
      (e) =>
        `<tr class="event-${e.kind}"><td>${new Date(e.atMs).toISOString().slice(11, 19)}</td><td class="text">${e.kind}</td><td class="text">${escape(e.text)}</td></tr>`,
    )
    .join('');
  $('panel-membership').innerHTML = `
    <div class="membership">
      <div>
        <p>System view <b id="system-view-id">${m.systemViewId ?? '–'}</b> · ${m.processes} processes</p>
        <div class="groups">${groups}</div>
      </div>
      <div>
        <p>Failures, departures and restarts <span class="muted">· newest first</span></p>
        ${events === '' ? '<p class="muted">none since this dashboard started</p>' : `<table id="membership-events"><tbody>${events}</tbody></table>`}
      </div>
    </div>`;
  const d = s.delivery;
  $('footer').textContent =
    `this page: ${d.sent} messages received, ${d.dropped} skipped while it was behind`;
}

function openPanel(name) {
  for (const button of document.querySelectorAll('.panels nav button'))
    button.classList.toggle('active', button.dataset.panel === name);
  for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== `panel-${name}`;
  if (name === 'replay') replay.refresh();
}

function escape(text) {
  return String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );
}
