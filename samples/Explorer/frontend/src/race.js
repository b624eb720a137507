// Optimizer race and learning rates: several walks from one start on one landscape, animated together.
import { post, fmt, num } from './api.js';
import { Plotly, config, contourTrace, minimaTrace, landscapeLayout, onPlaneClick, palette, layout } from './plots.js';

const raceDefaults = ['gd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad', 'lbfgs'];

function resultRows(table, walks, colors) {
  table.innerHTML = '<tr><th>optimizer</th><th>steps</th><th>final point</th><th>final loss</th><th>stopped</th></tr>';
  walks.forEach((w, i) => {
    const last = w.points[w.points.length - 1];
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    const swatch = Object.assign(document.createElement('span'), { className: 'swatch' });
    swatch.style.background = colors[i];
    name.append(swatch, document.createTextNode(w.label));
    tr.appendChild(name);
    const cells = [String(w.points.length - 1), `(${last.map((v) => fmt(v, 5)).join(', ')})`, fmt(w.values[w.values.length - 1], 6), w.stop];
    cells.forEach((text, k) => tr.appendChild(Object.assign(document.createElement('td'), { textContent: text, className: k === 3 && w.stop === 'diverged' ? 'fail' : '' })));
    table.appendChild(tr);
  });
}

function lossPlot(div, walks, colors, title) {
  const all = walks.flatMap((w) => w.values.map(num)).filter(Number.isFinite);
  const positive = all.length > 0 && all.every((v) => v > 0);
  return Plotly.react(div, walks.map((w, i) => ({
    type: 'scatter', mode: 'lines', name: w.label, line: { color: colors[i], width: 2 },
    x: w.values.map((_, k) => k), y: w.values.map((v) => { const x = num(v); return Number.isFinite(x) && Math.abs(x) < 1e12 ? x : null; }),
  })), layout({
    title: { text: title, font: { size: 13 }, x: 0.01, xanchor: 'left' }, showlegend: false,
    margin: { l: 56, r: 12, t: 30, b: 40 },
    xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'loss' }, type: positive ? 'log' : 'linear', exponentformat: 'power' },
  }), config);
}

// Animates the paths growing together by redrawing the plot with longer and longer paths (about 30 frames); resolves
// when every path is drawn in full. (Plotly.animate without redraws is cheaper but hides the contour map meanwhile.)
async function animate(draw, walks, colors) {
  const longest = Math.max(...walks.map((w) => w.points.length));
  const frames = Math.min(30, longest);
  const t0 = performance.now();
  for (let frame = 1; frame <= frames; frame++) {
    const upto = Math.ceil((longest * frame) / frames);
    await draw(walks.map((w, i) => ({ ...pathTraceOf(w, colors[i]), x: w.points.slice(0, upto).map((p) => p[0]), y: w.points.slice(0, upto).map((p) => p[1]) })));
    await new Promise((r) => requestAnimationFrame(r));
  }
  return (performance.now() - t0) / frames;
}

export function initRace(info, app) {
  const $ = (id) => document.getElementById(id);
  const plot = $('race-plot');
  const select = $('race-landscape');
  for (const l of info.landscapes) select.add(new Option(l.title, l.id));
  select.value = 'beale';
  const state = { start: null, grid: null, land: null };

  const list = $('race-optimizers');
  list.innerHTML = '<div class="optimizer-head"><span></span><span>optimizer</span><span>learning rate</span><span>β₁ / μ</span></div>';
  info.optimizers.forEach((k, i) => {
    const row = document.createElement('div');
    row.className = 'optimizer-row';
    const second = k.momentum ?? k.beta1;
    row.innerHTML = `<input type="checkbox" ${raceDefaults.includes(k.id) ? 'checked' : ''} data-kind="${k.id}">
      <span class="name" title="${k.code}"><span class="swatch" style="background:${palette[i % palette.length]}"></span>${k.name}</span>
      <input type="number" step="any" value="${k.learningRate}" data-role="lr">
      <input type="number" step="any" value="${second ?? ''}" data-role="second" ${second == null ? 'disabled' : ''}>`;
    row.dataset.color = palette[i % palette.length];
    list.appendChild(row);
  });

  function specs() {
    return [...list.querySelectorAll('.optimizer-row')].filter((r) => r.querySelector('input[type=checkbox]').checked).map((r) => {
      const kind = r.querySelector('input[type=checkbox]').dataset.kind;
      const k = info.optimizers.find((o) => o.id === kind);
      const spec = { kind, learningRate: Number(r.querySelector('[data-role=lr]').value) };
      const second = r.querySelector('[data-role=second]').value;
      if (second !== '' && k.momentum != null) spec.momentum = Number(second);
      if (second !== '' && k.beta1 != null) spec.beta1 = Number(second);
      return { spec, color: r.dataset.color };
    });
  }

  async function load() {
    state.land = info.landscapes.find((l) => l.id === select.value);
    state.start = state.start && state.landId === state.land.id ? state.start : [...state.land.start];
    state.landId = state.land.id;
    state.grid = await post('/api/grid', { landscape: state.land.id, size: 110 });
    drawBase([]);
  }

  function drawBase(walkTraces) {
    const traces = [contourTrace(state.grid, state.land.logScale), minimaTrace(state.land.minima),
      { type: 'scatter', mode: 'markers', x: [state.start[0]], y: [state.start[1]], name: 'start', meta: 'start',
        marker: { size: 13, symbol: 'circle', color: '#fff', line: { color: '#111', width: 2.5 } } }, ...walkTraces];
    return Plotly.react(plot, traces, landscapeLayout(state.land.box, { margin: { l: 48, r: 10, t: 10, b: 40 } }), config);
  }

  async function race() {
    const chosen = specs();
    if (chosen.length === 0) { $('race-status').textContent = 'Choose at least one optimizer.'; return; }
    plot.dataset.done = 'false';
    $('race-run').disabled = true;
    $('race-status').className = 'status';
    $('race-status').textContent = 'Racing on the server…';
    try {
      const t0 = performance.now();
      const walks = await post('/api/race', { landscape: state.land.id, start: state.start, steps: Number($('race-steps').value), optimizers: chosen.map((c) => c.spec) });
      const colors = chosen.map((c) => c.color);
      const computed = Math.round(performance.now() - t0);
      $('race-status').textContent = `${walks.length} walks computed in ${computed} ms; animating.`;
      const frameMs = await animate(drawBase, walks, colors);
      plot.dataset.frameMs = String(Math.round(frameMs));
      $('race-status').textContent = `${walks.length} walks of up to ${Number($('race-steps').value)} steps, computed on the server in ${computed} ms.`;
      lossPlot($('race-loss'), walks, colors, 'loss per step');
      resultRows($('race-table'), walks, colors);
      plot.dataset.done = 'true';
      plot.dataset.series = String(walks.length);
    } catch (e) {
      $('race-status').className = 'status error';
      $('race-status').textContent = e.message;
    } finally {
      $('race-run').disabled = false;
    }
  }

  select.addEventListener('change', () => { state.start = null; load().catch(app.error); });
  $('race-run').addEventListener('click', race);
  onPlaneClick(plot, (x, y) => { state.start = [x, y]; drawBase([]); });
  return { load: async () => { await load(); await race(); }, race };
}

function pathTraceOf(w, color) {
  return {
    type: 'scatter', mode: 'lines+markers', name: w.label, meta: 'walk', line: { color, width: 2.4 }, marker: { color, size: 3.5 },
    x: w.points.map((p) => p[0]), y: w.points.map((p) => p[1]), hovertemplate: `${w.label}<br>(%{x:.4f}, %{y:.4f})<extra></extra>`,
  };
}

export function initRates(info, app) {
  const $ = (id) => document.getElementById(id);
  const select = $('rates-landscape');
  for (const l of info.landscapes) select.add(new Option(l.title, l.id));
  select.value = 'ravine';
  const presets = { bowl: [0.02, 0.3, 0.9, 1.02], ravine: [0.05, 0.25, 0.45, 0.52], rosenbrock: [0.0002, 0.001, 0.002, 0.004], regression: [0.01, 0.1, 0.5, 0.8] };
  select.addEventListener('change', () => {
    const p = presets[select.value];
    if (p) p.forEach((v, i) => { $(`rates-lr${i}`).value = v; });
    run().catch(app.error);
  });

  async function run() {
    const land = info.landscapes.find((l) => l.id === select.value);
    const rates = [0, 1, 2, 3].map((i) => Number($(`rates-lr${i}`).value));
    const [grid, walks] = await Promise.all([
      post('/api/grid', { landscape: land.id, size: 120 }),
      post('/api/race', { landscape: land.id, start: land.start, steps: Number($('rates-steps').value),
        optimizers: rates.map((r) => ({ kind: 'gd', learningRate: r, label: `η = ${r}` })) }),
    ]);
    const colors = ['#6c757d', '#17a398', '#f2a541', '#d7263d'];
    await Plotly.react($('rates-plot'), [contourTrace(grid, land.logScale), minimaTrace(land.minima),
      ...walks.map((w, i) => pathTraceOf(w, colors[i]))], landscapeLayout(land.box, { margin: { l: 48, r: 10, t: 10, b: 40 } }), config);
    lossPlot($('rates-loss'), walks, colors, 'loss per step (gradient descent)');
    resultRows($('rates-table'), walks, colors);
  }

  $('rates-run').addEventListener('click', () => run().catch(app.error));
  return { load: run };
}
