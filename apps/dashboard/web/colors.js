// Voltage colour scale shared by the network drawing and its legend: blue (low) through green (nominal) to red (high).
export const VM_LOW_PU = 0.9;
export const VM_HIGH_PU = 1.1;

const STOPS = [
  [0, [56, 110, 230]],
  [0.35, [60, 180, 220]],
  [0.5, [63, 185, 80]],
  [0.65, [230, 200, 60]],
  [1, [240, 70, 60]],
];

export function vmColour(vm) {
  const t = Math.min(1, Math.max(0, (vm - VM_LOW_PU) / (VM_HIGH_PU - VM_LOW_PU)));
  for (let i = 1; i < STOPS.length; i += 1) {
    const [t1, c1] = STOPS[i];
    const [t0, c0] = STOPS[i - 1];
    if (t <= t1) {
      const u = (t - t0) / (t1 - t0);
      return `rgb(${c0.map((c, k) => Math.round(c + u * (c1[k] - c))).join(',')})`;
    }
  }
  return 'rgb(240,70,60)';
}

export function legendGradient() {
  return `linear-gradient(to right, ${STOPS.map(([t]) => `${vmColour(VM_LOW_PU + t * (VM_HIGH_PU - VM_LOW_PU))} ${t * 100}%`).join(', ')})`;
}

export const SERIES_COLOURS = [
  '#58a6ff',
  '#f0883e',
  '#3fb950',
  '#d2a8ff',
  '#ff7b72',
  '#79c0ff',
  '#e3b341',
  '#a5d6ff',
];
