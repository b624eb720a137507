// Forward & backward: the circuit f = (x + y)·z drawn as SVG, values from the server's generated gradients.
import { post, fmt } from './api.js';

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function initCircuit(info, app) {
  const $ = (id) => document.getElementById(id);
  const svg = $('circuit-svg');
  let shown = 'forward';

  function draw(r) {
    svg.replaceChildren();
    const wires = [
      { d: 'M 90 70 C 200 70, 200 130, 290 140', fx: 190, fy: 78, v: r.x, g: r.dfDx, name: 'x' },
      { d: 'M 90 190 C 200 190, 200 160, 290 160', fx: 190, fy: 205, v: r.y, g: r.dfDy, name: 'y' },
      { d: 'M 90 300 C 330 300, 380 230, 490 200', fx: 300, fy: 305, v: r.z, g: r.dfDz, name: 'z' },
      { d: 'M 350 150 C 410 150, 430 175, 490 180', fx: 420, fy: 140, v: r.q, g: r.dfDq, name: 'q' },
      { d: 'M 550 190 L 660 190', fx: 605, fy: 180, v: r.f, g: 1, name: 'f' },
    ];
    for (const w of wires) svg.appendChild(el('path', { d: w.d, class: 'wire' }));
    svg.appendChild(el('circle', { cx: 320, cy: 150, r: 30, class: 'gate' }));
    svg.appendChild(el('text', { x: 320, y: 150, class: 'gate-label' }, '+'));
    svg.appendChild(el('circle', { cx: 520, cy: 190, r: 30, class: 'gate' }));
    svg.appendChild(el('text', { x: 520, y: 190, class: 'gate-label' }, '×'));
    for (const [name, y] of [['x', 70], ['y', 190], ['z', 300]]) svg.appendChild(el('text', { x: 80, y, class: 'input-label' }, name));
    svg.appendChild(el('text', { x: 672, y: 190, class: 'input-label', 'text-anchor': 'start', style: 'text-anchor:start' }, 'f'));
    for (const w of wires) {
      const fwd = el('text', { x: w.fx, y: w.fy - 8, class: 'fwd', 'data-edge': w.name, 'data-role': 'value' }, `${w.name} = ${fmt(w.v)}`);
      const bwd = el('text', { x: w.fx, y: w.fy + 20, class: 'bwd' + (shown === 'backward' ? '' : ' hidden-value'), 'data-edge': w.name, 'data-role': 'gradient' }, `∂f/∂${w.name} = ${fmt(w.g)}`);
      svg.append(fwd, bwd);
    }
    svg.appendChild(el('text', { x: 20, y: 350, class: 'fwd', style: 'text-anchor:start;font-size:13px' }, 'green: forward values'));
    svg.appendChild(el('text', { x: 200, y: 350, class: 'bwd', style: 'text-anchor:start;font-size:13px' }, 'red: backward gradients ∂f/∂·'));
  }

  function explain(r) {
    const agree = [r.dfDx, r.dfDy, r.dfDz].every((v, i) => v === r.whole[i]);
    $('circuit-explain').innerHTML = `<div class="explain">
      <h2>Forward</h2>
      <p class="eq">q = x + y = ${fmt(r.x)} + ${fmt(r.y)} = ${fmt(r.q)}</p>
      <p class="eq">f = q · z = ${fmt(r.q)} · ${fmt(r.z)} = ${fmt(r.f)}</p>
      <h2>Backward (the chain rule, gate by gate)</h2>
      <p class="eq">∂f/∂f = 1</p>
      <p class="eq">× gate: ∂f/∂q = z = ${fmt(r.dfDq)}, &nbsp; ∂f/∂z = q = ${fmt(r.dfDz)}</p>
      <p class="eq">+ gate: ∂q/∂x = ${fmt(r.dqDx)}, ∂q/∂y = ${fmt(r.dqDy)}, so ∂f/∂x = ∂f/∂q · ∂q/∂x = ${fmt(r.dfDx)}, &nbsp; ∂f/∂y = ${fmt(r.dfDy)}</p>
      <h2>The gates' generated derivatives</h2>
      <div class="formulas">${r.gateDerivatives.map((d) => `<div>${d}</div>`).join('')}</div>
      <h2>The whole circuit as one [Differentiable] method</h2>
      <div class="formulas">${r.wholeDerivatives.map((d) => `<div>${d}</div>`).join('')}</div>
      <p>WholeGradient gives (∂f/∂x, ∂f/∂y, ∂f/∂z) = (${r.whole.map((v) => fmt(v)).join(', ')}):
        <span class="${agree ? 'ok' : 'fail'}">${agree ? 'the same as gate by gate' : 'different!'}</span></p>
    </div>`;
  }

  async function run(mode) {
    shown = mode;
    const r = await post('/api/circuit', { x: Number($('circuit-x').value), y: Number($('circuit-y').value), z: Number($('circuit-z').value) });
    draw(r);
    explain(r);
    if (mode === 'backward') {
      // Reveal the gradients right to left, the order the backward pass computes them.
      const order = ['f', 'q', 'z', 'x', 'y'];
      svg.querySelectorAll('.bwd[data-edge]').forEach((t) => t.classList.add('hidden-value'));
      order.forEach((name, i) => setTimeout(() => svg.querySelector(`.bwd[data-edge="${name}"]`)?.classList.remove('hidden-value'), 250 * i));
    }
  }

  $('circuit-forward').addEventListener('click', () => run('forward').catch(app.error));
  $('circuit-backward').addEventListener('click', () => run('backward').catch(app.error));
  for (const id of ['circuit-x', 'circuit-y', 'circuit-z']) $(id).addEventListener('change', () => run(shown).catch(app.error));
  return { load: () => run('backward') };
}
