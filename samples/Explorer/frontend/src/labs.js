// Batching, two valleys, LR finder: requests to the server's labs, then plots.
import { post, fmt, num } from './api.js';
import { Plotly, config, contourTrace, minimaTrace, landscapeLayout, onPlaneClick, layout } from './plots.js';

const batchColors = ['#2f5bea', '#17a398', '#e4572e'];
const finite = (v) => { const x = num(v); return Number.isFinite(x) && Math.abs(x) < 1e12 ? x : null; };

export function initBatching(info, app) {
  const $ = (id) => document.getElementById(id);
  let grid = null;
  const land = info.landscapes.find((l) => l.id === 'regression');

  async function run() {
    grid ??= await post('/api/grid', { landscape: 'regression', size: 110 });
    const runs = await post('/api/batching', {
      optimizer: { kind: $('batch-optimizer').value, learningRate: Number($('batch-lr').value) },
      batchSize: Number($('batch-size').value), epochs: Number($('batch-epochs').value), seed: Number($('batch-seed').value),
    });
    const xs = info.regression.xs;
    const lo = Math.min(...xs), hi = Math.max(...xs);
    Plotly.react($('batch-data'), [
      { type: 'scatter', mode: 'markers', x: xs, y: info.regression.ys, name: 'data', marker: { color: '#94a3b8', size: 6 } },
      ...runs.map((r, i) => ({ type: 'scatter', mode: 'lines', name: r.name, line: { color: batchColors[i], width: 2.4 },
        x: [lo, hi], y: [lo, hi].map((x) => r.parameters[0] * x + r.parameters[1]) })),
    ], layout({ title: { text: 'the data and the fitted lines', font: { size: 13 }, x: 0.01, xanchor: 'left' }, xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } } }), config);
    Plotly.react($('batch-paths'), [contourTrace(grid, false), minimaTrace(land.minima),
      ...runs.map((r, i) => ({ type: 'scatter', mode: 'lines', name: r.name, meta: 'walk', line: { color: batchColors[i], width: i === 2 ? 1.2 : 2.4 },
        x: r.path.map((p) => p[0]), y: r.path.map((p) => p[1]) }))],
    landscapeLayout(land.box, { title: { text: 'paths in (w, b) on the mean squared error', font: { size: 13 }, x: 0.01, xanchor: 'left' }, xaxis: { range: [land.box.x0, land.box.x1], title: { text: 'w' } }, yaxis: { range: [land.box.y0, land.box.y1], title: { text: 'b' } }, margin: { l: 48, r: 10, t: 34, b: 40 } }), config);
    // Loss against examples seen: the fair clock (every run sees each example once per epoch).
    Plotly.react($('batch-loss'), runs.map((r, i) => ({
      type: 'scatter', mode: 'lines', name: r.name, line: { color: batchColors[i], width: i === 2 ? 1 : 2 }, opacity: i === 2 ? 0.75 : 1,
      x: r.stepLosses.map((_, k) => (k + 1) * r.batchSize), y: r.stepLosses.map(finite),
    })).concat(runs.map((r, i) => ({
      type: 'scatter', mode: 'markers', name: `${r.name}: epoch mean`, showlegend: false, marker: { color: batchColors[i], size: 6, symbol: 'diamond' },
      x: r.epochLosses.map((_, e) => (e + 1) * info.regression.xs.length), y: r.epochLosses.map(finite),
    }))), layout({ title: { text: 'batch loss against examples seen', font: { size: 13 }, x: 0.01, xanchor: 'left' }, xaxis: { title: { text: 'examples seen' } }, yaxis: { title: { text: 'batch loss' }, rangemode: 'tozero' } }), config);
    const table = $('batch-table');
    table.innerHTML = '<tr><th>run</th><th>examples per step</th><th>steps</th><th>example gradients</th><th>w</th><th>b</th><th>final loss (all data)</th><th>stopped</th></tr>';
    runs.forEach((r, i) => {
      const tr = document.createElement('tr');
      tr.innerHTML = `<td><span class="swatch" style="background:${batchColors[i]}"></span>${r.name}</td><td>${r.batchSize}</td><td>${r.steps}</td>
        <td>${r.gradientEvaluations}</td><td>${fmt(r.parameters[0])}</td><td>${fmt(r.parameters[1])}</td><td>${fmt(r.loss, 6)}</td><td>${r.stopReason}</td>`;
      table.appendChild(tr);
    });
  }

  $('batch-run').addEventListener('click', () => run().catch(app.error));
  return { load: run };
}

export function initValleys(info, app) {
  const $ = (id) => document.getElementById(id);
  const land = info.landscapes.find((l) => l.id === 'two-valleys');
  const plot = $('valleys-plot');
  let grid = null;
  let start = [...land.start];
  const colors = ['#111827', '#e4572e', '#2f5bea', '#17a398'];

  async function run() {
    grid ??= await post('/api/grid', { landscape: land.id, size: 140 });
    const r = await post('/api/valleys', {
      start, learningRate: Number($('valleys-lr').value), noise: Number($('valleys-noise').value),
      momentum: Number($('valleys-momentum').value), steps: Number($('valleys-steps').value), seed: Number($('valleys-seed').value),
    });
    const traces = [contourTrace(grid, false), minimaTrace(land.minima),
      ...r.multiStart.map((m, k) => ({ type: 'scatter', mode: 'lines', x: m.path.map((p) => p[0]), y: m.path.map((p) => p[1]),
        line: { color: m.best ? '#f2a541' : 'rgba(255,255,255,0.55)', width: m.best ? 2.4 : 1.2, dash: 'dot' },
        name: m.best ? 'multi-start: the best of 8' : 'multi-start', showlegend: m.best || k === 0, legendgroup: m.best ? 'best' : 'ms', meta: 'walk' })),
      ...r.walks.map((w, i) => ({ type: 'scatter', mode: 'lines', name: w.label, meta: 'walk', line: { color: colors[i], width: 2.6 },
        x: w.points.map((p) => p[0]), y: w.points.map((p) => p[1]) })),
      { type: 'scatter', mode: 'markers', x: [start[0]], y: [start[1]], name: 'start', marker: { size: 13, color: '#fff', line: { color: '#111', width: 2.5 } } }];
    Plotly.react(plot, traces, landscapeLayout(land.box, { margin: { l: 48, r: 10, t: 10, b: 40 } }), config);
    const table = $('valleys-table');
    table.innerHTML = '<tr><th>walker</th><th>ends at x</th><th>loss</th></tr>';
    const rows = r.walks.map((w, i) => ({ label: w.label, color: colors[i], p: w.points[w.points.length - 1], f: w.values[w.values.length - 1] }));
    const best = r.multiStart.find((m) => m.best);
    rows.push({ label: 'Multi-start (best of 8)', color: '#f2a541', p: best.end, f: best.loss });
    for (const row of rows) {
      const tr = document.createElement('tr');
      tr.innerHTML = `<td><span class="swatch" style="background:${row.color}"></span>${row.label}</td><td>${fmt(row.p[0], 4)}</td><td>${fmt(row.f, 5)}</td>`;
      table.appendChild(tr);
    }
  }

  onPlaneClick(plot, (x, y) => { start = [x, y]; run().catch(app.error); });
  $('valleys-run').addEventListener('click', () => run().catch(app.error));
  return { load: run };
}

export function initFinder(info, app) {
  const $ = (id) => document.getElementById(id);
  async function run() {
    const r = await post('/api/lrfinder', {
      optimizer: { kind: $('finder-optimizer').value, momentum: $('finder-optimizer').value === 'momentum' ? 0.9 : undefined },
      minRate: Number($('finder-min').value), maxRate: Number($('finder-max').value), steps: Number($('finder-steps').value),
    });
    const f = r.finder;
    const shown = f.losses.map(finite);
    const ymax = Math.max(...f.smoothedLosses.map(finite).filter((v) => v !== null)) * 1.1;
    const marks = [
      { rate: f.steepestLearningRate, text: 'steepest', color: '#17a398' },
      { rate: f.decadeBelowExplosion, text: 'decade below explosion', color: '#2f5bea' },
      ...(f.explosionLearningRate ? [{ rate: f.explosionLearningRate, text: 'explosion', color: '#d7263d' }] : []),
    ];
    Plotly.react($('finder-plot'), [
      { type: 'scatter', mode: 'lines', x: f.learningRates, y: shown, name: 'batch loss', line: { color: '#94a3b8', width: 1.2 } },
      { type: 'scatter', mode: 'lines', x: f.learningRates, y: f.smoothedLosses.map(finite), name: 'smoothed (EMA, β = 0.98)', line: { color: '#111827', width: 2.4 } },
    ], layout({
      title: { text: 'loss against learning rate', font: { size: 13 }, x: 0.01, xanchor: 'left' },
      xaxis: { type: 'log', title: { text: 'learning rate' }, exponentformat: 'power' }, yaxis: { title: { text: 'loss' }, range: [0, ymax] },
      shapes: marks.map((m) => ({ type: 'line', xref: 'x', yref: 'paper', x0: m.rate, x1: m.rate, y0: 0, y1: 1, line: { color: m.color, width: 2, dash: 'dash' } })),
      annotations: marks.map((m, i) => ({ x: Math.log10(m.rate), y: 1 - i * 0.07, xref: 'x', yref: 'paper', text: m.text, showarrow: false, font: { color: m.color, size: 11.5 }, xanchor: 'left', bgcolor: 'rgba(255,255,255,.85)' })),
    }), config);
    const colors = ['#17a398', '#2f5bea', '#d7263d'];
    Plotly.react($('finder-trials'), r.trials.map((t, i) => ({
      type: 'scatter', mode: 'lines', name: `${t.name}: lr ${fmt(r.trialRates[i], 3)}`, line: { color: colors[i], width: 2 },
      x: t.stepLosses.map((_, k) => k + 1), y: t.stepLosses.map(finite),
    })), layout({ title: { text: 'training 30 epochs at each rate', font: { size: 13 }, x: 0.01, xanchor: 'left' }, xaxis: { title: { text: 'step (mini-batches of 32)' } }, yaxis: { title: { text: 'batch loss' }, type: 'log', exponentformat: 'power' } }), config);
    $('finder-summary').innerHTML = `<p>Steepest descent of the smoothed loss at <b>${fmt(f.steepestLearningRate, 3)}</b>;
      ${f.explosionLearningRate ? `the loss exploded at <b>${fmt(f.explosionLearningRate, 3)}</b>, so a tenth of it is <b>${fmt(f.decadeBelowExplosion, 3)}</b>.` : `no explosion up to the maximum; a tenth of the best rate is <b>${fmt(f.decadeBelowExplosion, 3)}</b>.`}
      Final losses after 30 epochs: ${r.trials.map((t, i) => `${t.name} ${fmt(t.loss, 4)} (${t.stopReason})`).join(', ')}.</p>`;
  }
  $('finder-run').addEventListener('click', () => run().catch(app.error));
  return { load: run };
}
