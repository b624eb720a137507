// Drawing helpers on plotly.js: contour maps of a landscape, paths, markers, an arrow. Only drawing.
import Plotly from 'plotly.js-cartesian-dist-min';

export { Plotly };

// One color per optimizer kind, in the order the server lists them (L-BFGS last, in black).
export const palette = ['#2f5bea', '#e4572e', '#17a398', '#f2a541', '#8e44ad', '#d7263d', '#3d9970', '#ff6f91', '#6c757d', '#0e79b2', '#bf4e30', '#5c2a9d', '#000000', '#c5a000'];

const baseLayout = {
  margin: { l: 56, r: 16, t: 34, b: 48 },
  paper_bgcolor: 'white',
  plot_bgcolor: 'white',
  font: { family: 'system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif', size: 12, color: '#1d2430' },
  legend: { orientation: 'h', y: -0.2, yanchor: 'top', x: 0, font: { size: 11.5 } },
  hovermode: 'closest',
};

export const config = { displaylogo: false, responsive: true, displayModeBar: 'hover', modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'] };

export function layout(extra = {}) {
  return { ...baseLayout, ...extra };
}

// Colors for the map. The log option squashes steep walls so the valley floor shows: a display choice only.
function displayZ(grid, log) {
  if (!log) return grid.z.map((row) => row.map((v) => (typeof v === 'number' ? v : null)));
  let min = Infinity;
  for (const row of grid.z) for (const v of row) if (typeof v === 'number' && v < min) min = v;
  return grid.z.map((row) => row.map((v) => (typeof v === 'number' ? Math.log10(v - min + 1e-3) : null)));
}

export function contourTrace(grid, log, name = 'f') {
  return {
    type: 'contour',
    x: grid.x,
    y: grid.y,
    z: displayZ(grid, log),
    colorscale: 'Viridis',
    reversescale: false,
    ncontours: 28,
    contours: { coloring: 'heatmap', showlines: true },
    line: { color: 'rgba(255,255,255,0.35)', width: 0.6 },
    showscale: true,
    colorbar: { thickness: 10, len: 0.85, title: { text: log ? 'log f' : 'f', side: 'right' }, tickfont: { size: 10 } },
    hoverinfo: 'skip',
    name,
    meta: 'landscape',
  };
}

export function minimaTrace(minima) {
  return {
    type: 'scatter', mode: 'markers',
    x: minima.map((m) => m[0]), y: minima.map((m) => m[1]),
    marker: { symbol: 'star', size: 14, color: '#ffffff', line: { color: '#111827', width: 1.2 } },
    name: 'minimum', hovertemplate: 'minimum (%{x:.3f}, %{y:.3f})<extra></extra>', meta: 'minima',
  };
}

export function pathTrace(points, color, name, extra = {}) {
  return {
    type: 'scatter', mode: 'lines+markers',
    x: points.map((p) => p[0]), y: points.map((p) => p[1]),
    line: { color, width: 2.4 },
    marker: { color, size: 4 },
    name, meta: 'walk',
    hovertemplate: `${name}<br>(%{x:.4f}, %{y:.4f})<extra></extra>`,
    ...extra,
  };
}

export function landscapeLayout(box, extra = {}) {
  return layout({
    xaxis: { range: [box.x0, box.x1], title: { text: 'x' }, zeroline: false, constrain: 'domain' },
    yaxis: { range: [box.y0, box.y1], title: { text: 'y' }, zeroline: false },
    showlegend: true,
    ...extra,
  });
}

// Turns a click on the plot area into data coordinates (plotly reports clicks only on traces' points).
export function onPlaneClick(div, handler) {
  div.addEventListener('click', (event) => {
    const full = div._fullLayout;
    if (!full || !full.xaxis) return;
    const rect = div.querySelector('.nsewdrag')?.getBoundingClientRect();
    if (!rect) return;
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    if (px < 0 || py < 0 || px > rect.width || py > rect.height) return;
    handler(full.xaxis.p2l(px), full.yaxis.p2l(py));
  });
}

export function lossCurves(div, walks, title, extra = {}) {
  const traces = walks.map((w, i) => ({
    type: 'scatter', mode: 'lines',
    x: w.values.map((_, k) => k), y: w.values.map((v) => (typeof v === 'number' ? v : null)),
    name: w.label, line: { color: w.color || palette[i % palette.length], width: 2 },
  }));
  return Plotly.react(div, traces, layout({
    title: { text: title, font: { size: 13 }, x: 0.01, xanchor: 'left' },
    xaxis: { title: { text: 'step' } },
    yaxis: { title: { text: 'loss' }, type: extra.logY ? 'log' : 'linear' },
    showlegend: extra.legend ?? true,
    ...extra.layout,
  }), config);
}
