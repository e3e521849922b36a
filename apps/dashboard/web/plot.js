// A small time-series plot on a canvas: several series against time, each an estimate (solid) and, when known, the
// truth (dashed) in the same colour. No plotting library: the page is served from the repository alone.
export function drawPlot(canvas, { title, unit, times, series, digits }) {
  const ratio = window.devicePixelRatio || 1;
  const [w, h] = [canvas.clientWidth, canvas.clientHeight];
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  const box = { left: 58, right: w - 10, top: 16, bottom: h - 20 };
  g.fillStyle = '#7d8b99';
  g.font = '11px DejaVu Sans, sans-serif';
  g.fillText(`${title} (${unit})`, box.left, 11);
  const values = series.flatMap((s) => [...s.estimate, ...s.truth].filter(Number.isFinite));
  if (times.length < 2 || values.length === 0) {
    g.fillText('waiting for estimates…', box.left, (box.top + box.bottom) / 2);
    return;
  }
  let [lo, hi] = [Math.min(...values), Math.max(...values)];
  const margin = Math.max((hi - lo) * 0.1, Math.abs(hi) * 1e-4, 1e-6);
  [lo, hi] = [lo - margin, hi + margin];
  const [t0, t1] = [times[0], times[times.length - 1]];
  const x = (t) => box.left + ((t - t0) / Math.max(t1 - t0, 1e-9)) * (box.right - box.left);
  const y = (v) => box.bottom - ((v - lo) / (hi - lo)) * (box.bottom - box.top);
  axes(g, box, lo, hi, t1 - t0, digits, y);
  for (const s of series) {
    line(g, times, s.estimate, x, y, s.colour, []);
    line(g, times, s.truth, x, y, s.colour, [4, 3]);
  }
}

function axes(g, box, lo, hi, spanS, digits, y) {
  g.strokeStyle = '#2a3642';
  g.fillStyle = '#7d8b99';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i += 1) {
    const v = lo + ((hi - lo) * i) / 4;
    g.beginPath();
    g.moveTo(box.left, y(v));
    g.lineTo(box.right, y(v));
    g.stroke();
    g.fillText(v.toFixed(digits), 4, y(v) + 4);
  }
  g.fillText(`last ${spanS.toFixed(1)} s`, box.right - 70, box.bottom + 14);
}

function line(g, times, values, x, y, colour, dash) {
  g.beginPath();
  g.setLineDash(dash);
  g.strokeStyle = colour;
  g.lineWidth = 1.6;
  let pen = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    if (pen) g.lineTo(x(times[i]), y(v));
    else g.moveTo(x(times[i]), y(v));
    pen = true;
  });
  g.stroke();
  g.setLineDash([]);
}
