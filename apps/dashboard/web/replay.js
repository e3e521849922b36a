// The Replay panel: the recorded range (from the recorder's Redis), a window to re-estimate, one BullMQ replay job
// per click, its progress pushed live, and its results per bus (read back from InfluxDB) beside the live estimate
// of the same instants. Every value in the results table carries full precision in data-* attributes.
import { SERIES_COLOURS } from './colors.js';
import { drawPlot } from './plot.js';

/** Rows shown in the results table at most (the plot draws every point the server sent). */
const MAX_TABLE_ROWS = 600;

export class ReplayPanel {
  constructor(socket, root, busIds) {
    this.socket = socket;
    this.root = root;
    this.busIds = busIds;
    this.jobs = new Map();
    this.shown = null;
    root.innerHTML = `
      <p id="replay-status" class="muted">asking the recorder's Redis what it holds…</p>
      <div class="replay-form">
        <label>from (UTC) <input id="replay-from" size="26" spellcheck="false" /></label>
        <label>to (UTC) <input id="replay-to" size="26" spellcheck="false" /></label>
        <button id="replay-whole" type="button">whole recording</button>
        <button id="replay-start" type="button" disabled>start replay</button>
      </div>
      <p id="replay-message" role="status"></p>
      <table id="replay-jobs"><thead><tr><th>job</th><th>window (UTC)</th><th>progress</th><th>state</th><th></th></tr></thead><tbody></tbody></table>
      <div id="replay-results" hidden>
        <h4>Job <span id="replay-results-job"></span> · bus <select id="replay-bus"></select>
          <span class="muted">· solid: replayed · dashed: live, same instants</span></h4>
        <canvas id="plot-replay-vm" class="plot"></canvas>
        <p id="replay-results-note" class="muted"></p>
        <table id="replay-table"><thead><tr><th>time (UTC)</th><th>replayed |V| pu</th><th>live |V| pu</th><th>replayed °</th><th>live °</th></tr></thead><tbody></tbody></table>
      </div>`;
    this.$('replay-whole').addEventListener('click', () => this.fillWhole());
    this.$('replay-start').addEventListener('click', () => this.start());
    this.$('replay-bus').addEventListener('change', () => this.showResults(this.shown, this.selectedBus()));
    socket.on('replay:jobs', ({ unavailable, jobs }) => this.onJobs(unavailable, jobs));
    socket.on('replay:job', (job) => this.onJob(job));
  }

  $(id) {
    return this.root.querySelector(`#${id}`);
  }

  /** Called when the panel is opened: the recorded range may have grown since. */
  refresh() {
    if (this.unavailable === undefined || this.unavailable !== null) return;
    this.socket.emit('replay:span', (reply) => this.onSpan(reply));
  }

  onJobs(unavailable, jobs) {
    this.unavailable = unavailable;
    if (unavailable !== null) {
      this.$('replay-status').textContent = unavailable;
      this.$('replay-status').dataset.state = 'unavailable';
      return;
    }
    for (const job of jobs) this.jobs.set(job.id, job);
    this.renderJobs();
    this.refresh();
  }

  onSpan(reply) {
    const status = this.$('replay-status');
    if (reply.error) {
      status.textContent = `the recording cannot be read: ${reply.error}`;
      return;
    }
    this.span = reply.span;
    this.$('replay-start').disabled = reply.span === null;
    if (reply.span === null) {
      status.textContent = 'the recording is empty: nothing to replay yet';
      return;
    }
    const { firstMs, lastMs, snapshots } = reply.span;
    status.dataset.firstMs = String(firstMs);
    status.dataset.lastMs = String(lastMs);
    status.textContent = `recorded: ${iso(firstMs)} to ${iso(lastMs)} UTC · ${snapshots} snapshots`;
    if (this.$('replay-from').value === '') this.fillWhole();
  }

  fillWhole() {
    if (!this.span) return;
    this.$('replay-from').value = iso(this.span.firstMs);
    this.$('replay-to').value = iso(this.span.lastMs);
  }

  start() {
    const fromMs = Date.parse(asUtc(this.$('replay-from').value));
    const toMs = Date.parse(asUtc(this.$('replay-to').value));
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs))
      return this.say('write both times as 2026-12-02T06:40:00.000Z', true);
    const button = this.$('replay-start');
    button.disabled = true;
    this.socket.emit('replay:start', { fromMs, toMs }, (reply) => {
      button.disabled = false;
      if (reply.error) return this.say(reply.error, true);
      this.say(`replay job ${reply.job.id} queued`, false);
      this.onJob(reply.job);
    });
  }

  onJob(job) {
    this.jobs.set(job.id, job);
    this.renderJobs();
    if (job.state === 'completed' && (this.shown === null || this.shown === job.id))
      this.showResults(job.id, this.selectedBus());
  }

  renderJobs() {
    const rows = [...this.jobs.values()].reverse().map((j) => {
      const detail = j.state === 'failed' ? escape(j.error ?? '') : resultText(j.result);
      return `<tr data-job="${escape(j.id)}" data-state="${j.state}" data-progress="${j.progress}">
        <td>${escape(j.id)}</td><td class="text">${iso(j.fromMs)} – ${iso(j.toMs)}</td>
        <td><progress max="100" value="${j.progress}"></progress> ${Math.round(j.progress)}%</td>
        <td class="text">${j.state} ${detail}</td>
        <td>${j.state === 'completed' ? `<button type="button" data-show="${escape(j.id)}">results</button>` : ''}</td></tr>`;
    });
    const body = this.$('replay-jobs').querySelector('tbody');
    body.innerHTML = rows.join('');
    for (const b of body.querySelectorAll('button[data-show]'))
      b.addEventListener('click', () => this.showResults(b.dataset.show, this.selectedBus()));
  }

  selectedBus() {
    const value = Number(this.$('replay-bus').value);
    return Number.isInteger(value) && value > 0 ? value : this.busIds()[0];
  }

  showResults(jobId, bus) {
    if (jobId === null || bus === undefined) return;
    this.shown = jobId;
    this.socket.emit('replay:results', { jobId, bus }, (reply) => {
      if (reply.error) return this.say(reply.error, true);
      this.renderResults(jobId, reply.results);
    });
  }

  renderResults(jobId, r) {
    const box = this.$('replay-results');
    box.hidden = false;
    box.dataset.job = jobId;
    box.dataset.bus = String(r.bus);
    this.$('replay-results-job').textContent = jobId;
    const select = this.$('replay-bus');
    if (select.options.length === 0)
      select.innerHTML = this.busIds()
        .map((id) => `<option value="${id}">${id}</option>`)
        .join('');
    select.value = String(r.bus);
    const rows = r.times.slice(0, MAX_TABLE_ROWS).map(
      (t, i) => `<tr data-time-ms="${t}" data-vm="${r.replay.vm[i]}" data-va="${r.replay.va[i]}"
        data-live-vm="${r.live.vm[i] ?? ''}" data-live-va="${r.live.va[i] ?? ''}">
        <td class="text">${iso(t)}</td><td>${r.replay.vm[i].toFixed(5)}</td><td>${fixed(r.live.vm[i], 5)}</td>
        <td>${r.replay.va[i].toFixed(3)}</td><td>${fixed(r.live.va[i], 3)}</td></tr>`,
    );
    this.$('replay-table').querySelector('tbody').innerHTML = rows.join('');
    const more = r.times.length > MAX_TABLE_ROWS ? ` · the table shows the first ${MAX_TABLE_ROWS}` : '';
    const cut = r.truncated ? ' · the window holds more (--max-replay-points)' : '';
    this.$('replay-results-note').textContent = `${r.times.length} instants${more}${cut}`;
    box.dataset.rows = String(r.times.length);
    const t0 = r.times[0] ?? 0;
    drawPlot(this.$('plot-replay-vm'), {
      title: `|V| bus ${r.bus}`,
      unit: 'pu',
      times: r.times.map((t) => (t - t0) / 1000),
      series: [{ estimate: r.replay.vm, truth: r.live.vm.map((v) => v ?? NaN), colour: SERIES_COLOURS[0] }],
      digits: 4,
    });
  }

  say(text, bad) {
    const m = this.$('replay-message');
    m.textContent = text;
    m.className = bad ? 'replay-refused' : 'muted';
    m.dataset.state = bad ? 'refused' : 'ok';
  }
}

function iso(ms) {
  return new Date(ms).toISOString();
}

/** A time typed without a zone is read as UTC, as the page shows every time. */
function asUtc(text) {
  const t = text.trim();
  return /[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`;
}

function fixed(v, digits) {
  return v === null || v === undefined ? '–' : v.toFixed(digits);
}

function resultText(r) {
  if (!r || typeof r !== 'object') return '';
  return `· ${r.assembled} estimates of ${r.snapshots} snapshots${r.incomplete > 0 ? `, ${r.incomplete} incomplete` : ''}`;
}

function escape(text) {
  return String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );
}
