// The network drawing: buses at the server's layout positions, coloured by |V|; branches the estimate took as open
// are dashed red, branches out of service in the case dotted grey. Hover shows a bus's figures; click toggles a plot.
import { vmColour } from './colors.js';

// Room around the drawing for the bus labels.
const PAD_PX = 26;

export class GridDrawing {
  constructor(canvas, tooltip, { onBusClick }) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.onBusClick = onBusClick;
    this.picture = null;
    this.values = null; // { vm, va, observable, truth } for every bus (NaN where this view has no value)
    this.open = new Set();
    this.chosen = [];
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    canvas.addEventListener('click', (e) => {
      const b = this.busAt(e);
      if (b >= 0) this.onBusClick(b);
    });
  }

  setPicture(picture) {
    this.picture = picture;
    this.draw();
  }

  setValues(values, openBranches, chosen) {
    this.values = values;
    this.open = new Set(openBranches);
    this.chosen = chosen;
    this.draw();
  }

  radius() {
    const n = this.picture ? this.picture.buses.length : 1;
    return Math.max(3, Math.min(8, 70 / Math.sqrt(n)));
  }

  position(b) {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    // Each axis of the layout is in [0, 1]: fill the panel, but stretch no axis more than twice the other.
    const [sx, sy] = [w - 2 * PAD_PX, h - 2 * PAD_PX];
    const [fx, fy] = [Math.min(sx, 2 * sy), Math.min(sy, 2 * sx)];
    const bus = this.picture.buses[b];
    return [(w - fx) / 2 + bus.x * fx, (h - fy) / 2 + bus.y * fy];
  }

  draw() {
    const c = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const [w, h] = [c.clientWidth, c.clientHeight];
    if (c.width !== Math.round(w * ratio) || c.height !== Math.round(h * ratio)) {
      c.width = Math.round(w * ratio);
      c.height = Math.round(h * ratio);
    }
    const g = c.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    if (!this.picture) return;
    this.drawBranches(g);
    this.drawBuses(g);
  }

  drawBranches(g) {
    this.picture.branches.forEach((br, k) => {
      const [x1, y1] = this.position(br.from);
      const [x2, y2] = this.position(br.to);
      const open = this.open.has(k);
      g.beginPath();
      g.setLineDash(open ? [6, 4] : br.inService ? [] : [2, 4]);
      g.strokeStyle = open ? '#f85149' : br.inService ? '#4a5866' : '#39424c';
      g.lineWidth = open ? 2.5 : 1.4;
      g.moveTo(x1, y1);
      g.lineTo(x2, y2);
      g.stroke();
    });
    g.setLineDash([]);
  }

  drawBuses(g) {
    const r = this.radius();
    const v = this.values;
    this.picture.buses.forEach((bus, b) => {
      const [x, y] = this.position(b);
      const known = v && Number.isFinite(v.vm[b]);
      g.beginPath();
      g.arc(x, y, r, 0, 2 * Math.PI);
      g.fillStyle = !known ? '#2a3642' : v.observable[b] === 1 ? vmColour(v.vm[b]) : '#6e7681';
      g.fill();
      g.lineWidth = this.chosen.includes(b) ? 2.5 : 1;
      g.strokeStyle = this.chosen.includes(b) ? '#ffffff' : '#0e1419';
      g.stroke();
      if (this.picture.buses.length <= 60) {
        g.fillStyle = '#9fb0c0';
        g.font = '10px DejaVu Sans, sans-serif';
        g.fillText(String(bus.id), x + r + 2, y - r);
      }
    });
  }

  busAt(e) {
    if (!this.picture) return -1;
    const rect = this.canvas.getBoundingClientRect();
    const [mx, my] = [e.clientX - rect.left, e.clientY - rect.top];
    const r = this.radius() + 3;
    let best = -1;
    let bestD = r * r;
    for (let b = 0; b < this.picture.buses.length; b += 1) {
      const [x, y] = this.position(b);
      const d = (x - mx) ** 2 + (y - my) ** 2;
      if (d <= bestD) [best, bestD] = [b, d];
    }
    return best;
  }

  hover(e) {
    const b = this.busAt(e);
    if (b < 0) {
      this.tooltip.hidden = true;
      return;
    }
    const bus = this.picture.buses[b];
    const v = this.values;
    const known = v && Number.isFinite(v.vm[b]);
    const lines = [`<b>bus ${bus.id}</b>`];
    if (known) {
      lines.push(`|V| ${v.vm[b].toFixed(4)} pu · ∠ ${v.va[b].toFixed(2)}°`);
      if (v.observable[b] !== 1) lines.push('not observable');
      if (v.truth && Number.isFinite(v.truth.vm[b]))
        lines.push(`truth ${v.truth.vm[b].toFixed(4)} pu · ∠ ${v.truth.va[b].toFixed(2)}°`);
    } else lines.push('no estimate in this view');
    this.tooltip.innerHTML = lines.join('<br>');
    const rect = this.canvas.getBoundingClientRect();
    this.tooltip.style.left = `${e.clientX - rect.left + 14}px`;
    this.tooltip.style.top = `${e.clientY - rect.top + 10}px`;
    this.tooltip.hidden = false;
  }
}
