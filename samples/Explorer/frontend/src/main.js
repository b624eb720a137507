// The Explorer's page: tabs, each drawing what the server computes.
import { get } from './api.js';
import { initLandscape } from './landscape.js';
import { initRace, initRates } from './race.js';
import { initBatching, initValleys, initFinder } from './labs.js';
import { initCircuit } from './circuit.js';
import { initPlayground } from './playground.js';
import { Plotly } from './plots.js';

const banner = document.getElementById('error-banner');
const app = {
  error(e) {
    banner.textContent = e && e.message ? e.message : String(e);
    banner.classList.remove('hidden');
    console.error(e);
  },
  clearError() {
    banner.classList.add('hidden');
  },
  openInPlayground: null,
};

async function start() {
  const info = await get('/api/info');
  const tabs = {
    landscape: initLandscape(info, app),
    rates: initRates(info, app),
    race: initRace(info, app),
    batching: initBatching(info, app),
    valleys: initValleys(info, app),
    finder: initFinder(info, app),
    circuit: initCircuit(info, app),
    playground: initPlayground(info, app),
  };
  const loaded = new Set();

  async function show(name) {
    document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
    document.querySelectorAll('main > section.tab').forEach((s) => s.classList.toggle('active', s.id === `tab-${name}`));
    if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    app.clearError();
    if (!loaded.has(name)) {
      loaded.add(name);
      try {
        await tabs[name].load();
      } catch (e) {
        loaded.delete(name);
        app.error(e);
      }
    }
    // Plots drawn while hidden have no size: fit them now.
    document.querySelectorAll(`#tab-${name} .js-plotly-plot`).forEach((p) => Plotly.Plots.resize(p));
    document.body.dataset.tab = name;
  }

  app.openInPlayground = (land) => {
    const body = land.source.split('\n').map((l) => (l.length ? `    ${l}` : l)).join('\n');
    tabs.playground.setSource(`using System;\nusing SymbolicGrad;\n\npublic static partial class Playground\n{\n${body}\n}\n`);
    document.getElementById('pg-box-x').value = `${land.box.x0}, ${land.box.x1}`;
    document.getElementById('pg-box-y').value = `${land.box.y0}, ${land.box.y1}`;
    document.getElementById('pg-start').value = land.start.join(', ');
    show('playground');
  };

  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  window.explorer = { info, tabs, show };
  const first = location.hash.slice(1);
  await show(tabs[first] ? first : 'landscape');
  document.body.dataset.ready = 'true';
}

start().catch(app.error);
