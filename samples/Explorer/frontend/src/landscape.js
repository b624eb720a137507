// Landscape tab: click to place the walker, Step and Run downhill; value, gradient and arrow from the server.
import { post, fmt, num } from './api.js';
import { Plotly, config, contourTrace, minimaTrace, landscapeLayout, onPlaneClick } from './plots.js';

export function initLandscape(info, app) {
  const $ = (id) => document.getElementById(id);
  const plot = $('landscape-plot');
  const select = $('landscape-select');
  const optimizer = $('landscape-optimizer');
  const lr = $('landscape-lr');
  const state = { land: null, grid: null, point: null, path: [], values: [], optimizerState: null, steps: 0, running: false, busy: false };

  for (const l of info.landscapes) select.add(new Option(l.title, l.id));
  select.value = 'rosenbrock';

  function rate() {
    return Number((10 ** Number(lr.value)).toPrecision(2));
  }
  function showRate() {
    $('landscape-lr-value').textContent = String(rate());
  }

  async function load() {
    const land = info.landscapes.find((l) => l.id === select.value);
    state.land = land;
    $('landscape-desc').textContent = land.description;
    $('landscape-derivatives').replaceChildren(...land.derivatives.map((d) => Object.assign(document.createElement('div'), { textContent: d })));
    $('landscape-source').textContent = land.source;
    lr.value = String(Math.log10(land.learningRate));
    showRate();
    state.grid = await post('/api/grid', { landscape: land.id, size: 140 });
    await place(land.start[0], land.start[1]);
  }

  async function place(x, y) {
    stop();
    state.point = [x, y];
    state.path = [[x, y]];
    state.values = [];
    state.optimizerState = null;
    state.steps = 0;
    const at = await post('/api/point', { landscape: state.land.id, point: state.point });
    state.values.push(num(at.value));
    show(at.value, at.gradient, '');
  }

  function arrow(point, gradient) {
    const g = gradient.map(num);
    const norm = Math.hypot(g[0], g[1]);
    if (!Number.isFinite(norm) || norm === 0) return [];
    const b = state.land.box;
    // Drawn at a fixed length (12% of the view): its direction is −∇f, its length is not |∇f|.
    const ux = -g[0] / norm, uy = -g[1] / norm;
    const scale = 0.12 / Math.hypot(ux / (b.x1 - b.x0), uy / (b.y1 - b.y0));
    return [{
      x: point[0] + ux * scale, y: point[1] + uy * scale, ax: point[0], ay: point[1],
      xref: 'x', yref: 'y', axref: 'x', ayref: 'y', showarrow: true, arrowhead: 3, arrowsize: 1.3, arrowwidth: 2.6, arrowcolor: '#ff4d4f', text: '',
    }];
  }

  function show(value, gradient, status) {
    const p = state.point;
    const g = gradient.map(num);
    $('walker-point').textContent = `(${fmt(p[0])}, ${fmt(p[1])})`;
    $('walker-point').dataset.x = String(p[0]);
    $('walker-point').dataset.y = String(p[1]);
    const loss = $('walker-loss');
    loss.textContent = fmt(value, 7);
    loss.dataset.value = String(value);
    $('walker-dx').textContent = fmt(g[0], 6);
    $('walker-dy').textContent = fmt(g[1], 6);
    $('walker-norm').textContent = fmt(Math.hypot(g[0], g[1]), 5);
    $('walker-steps').textContent = String(state.steps);
    $('walker-status').textContent = status;
    $('walker-status').className = 'status' + (status.startsWith('Diverged') ? ' error' : '');
    const traces = [
      contourTrace(state.grid, state.land.logScale),
      minimaTrace(state.land.minima),
      { type: 'scatter', mode: 'lines+markers', x: state.path.map((q) => q[0]), y: state.path.map((q) => q[1]),
        line: { color: '#ff4d4f', width: 2.2 }, marker: { size: 4, color: '#ff4d4f' }, name: 'path', meta: 'walk', hoverinfo: 'skip' },
      { type: 'scatter', mode: 'markers', x: [p[0]], y: [p[1]], name: 'walker', meta: 'walker',
        marker: { size: 15, color: '#ffffff', line: { color: '#ff4d4f', width: 3.5 } }, hovertemplate: 'walker (%{x:.4f}, %{y:.4f})<extra></extra>' },
    ];
    Plotly.react(plot, traces, landscapeLayout(state.land.box, { annotations: arrow(p, gradient), showlegend: false, margin: { l: 48, r: 10, t: 10, b: 40 } }), config);
  }

  async function step(count) {
    if (state.busy) return null;
    state.busy = true;
    try {
      const walk = await post('/api/walk', {
        landscape: state.land.id, start: state.point, steps: count, state: state.optimizerState,
        optimizer: { kind: optimizer.value, learningRate: rate() },
      });
      const last = walk.points.length - 1;
      state.path.push(...walk.points.slice(1));
      state.point = walk.points[last];
      state.optimizerState = walk.state ?? null;
      state.steps += walk.points.length - 1;
      const status = walk.stop === 'diverged' ? 'Diverged: the learning rate is too large for this landscape.'
        : walk.stop === 'converged' ? 'Converged: the gradient vanished.' : '';
      show(walk.values[last], walk.gradients[last], status);
      return walk;
    } catch (e) {
      app.error(e);
      return null;
    } finally {
      state.busy = false;
    }
  }

  function stop() {
    state.running = false;
    $('btn-run').textContent = 'Run';
  }

  async function run() {
    if (state.running) { stop(); return; }
    state.running = true;
    $('btn-run').textContent = 'Stop';
    for (let frame = 0; frame < 400 && state.running; frame++) {
      const walk = await step(5);
      if (!walk || walk.stop !== 'steps') break;
      await new Promise((r) => setTimeout(r, 30));
    }
    stop();
  }

  select.addEventListener('change', () => load().catch(app.error));
  optimizer.addEventListener('change', () => { state.optimizerState = null; });
  lr.addEventListener('input', () => { showRate(); state.optimizerState = null; });
  $('btn-step').addEventListener('click', () => step(1));
  $('btn-run').addEventListener('click', run);
  $('btn-reset').addEventListener('click', () => place(state.land.start[0], state.land.start[1]).catch(app.error));
  $('landscape-open').addEventListener('click', () => app.openInPlayground(state.land));
  onPlaneClick(plot, (x, y) => place(x, y).catch(app.error));

  return { load, place: (x, y) => place(x, y), state };
}
