// Playground: a CodeMirror 6 editor for a C# loss. Every edit (debounced) goes to the server, which compiles it in a
// worker with Roslyn and SymbolicGrad's generator and runs the generated objective; this file shows what comes back.
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Compartment } from '@codemirror/state';
import { StreamLanguage } from '@codemirror/language';
import { csharp } from '@codemirror/legacy-modes/mode/clike';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { post, fmt } from './api.js';
import { Plotly, config, contourTrace, landscapeLayout, layout, palette, onPlaneClick } from './plots.js';
import { examples } from './examples.js';

const DEBOUNCE_MS = 350;

export function initPlayground(info, app) {
  const $ = (id) => document.getElementById(id);
  const status = $('pg-status');
  const state = { seq: 0, shown: 0, timer: null, result: null, entry: null, start: null, controller: null };

  const view = new EditorView({
    parent: $('pg-editor'),
    state: EditorState.create({
      doc: examples[0].source,
      extensions: [
        basicSetup,
        StreamLanguage.define(csharp),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => { if (u.docChanged) schedule(); }),
        EditorState.tabSize.of(4),
      ],
    }),
  });

  const generatedView = new EditorView({
    parent: $('pg-generated'),
    state: EditorState.create({ doc: '', extensions: [basicSetup, StreamLanguage.define(csharp), EditorState.readOnly.of(true), EditorView.editable.of(false)] }),
  });

  const examplesSelect = $('pg-examples');
  examples.forEach((e, i) => examplesSelect.add(new Option(e.title, String(i))));
  if (examples[0].box) { $('pg-box-x').value = `${examples[0].box[0]}, ${examples[0].box[1]}`; $('pg-box-y').value = `${examples[0].box[2]}, ${examples[0].box[3]}`; }
  examplesSelect.addEventListener('change', () => {
    const e = examples[Number(examplesSelect.value)];
    state.start = null;
    state.arrayLength = e.arrayLength ?? 2;
    $('pg-start').value = '';
    if (e.box) { $('pg-box-x').value = `${e.box[0]}, ${e.box[1]}`; $('pg-box-y').value = `${e.box[2]}, ${e.box[3]}`; }
    setSource(e.source);
  });

  for (const button of document.querySelectorAll('#pg-subtabs button')) {
    button.addEventListener('click', () => showSub(button.dataset.sub));
  }
  function showSub(name) {
    document.querySelectorAll('#pg-subtabs button').forEach((b) => b.classList.toggle('active', b.dataset.sub === name));
    document.querySelectorAll('#tab-playground .sub').forEach((s) => s.classList.toggle('active', s.id === `pg-sub-${name}`));
    if (name === 'landscape') Plotly.Plots.resize($('pg-plot'));
  }

  // Another method may take another number of parameters: its start is its default (a start of the wrong length is a 400).
  $('pg-entry').addEventListener('change', () => { state.entry = $('pg-entry').value; state.start = null; $('pg-start').value = ''; compileNow(); });
  for (const id of ['pg-start', 'pg-box-x', 'pg-box-y']) $(id).addEventListener('change', () => compileNow());
  onPlaneClick($('pg-plot'), (x, y) => {
    if (!state.result || !state.result.landscape) return;
    $('pg-start').value = `${fmt(x, 4)}, ${fmt(y, 4)}`;
    compileNow();
  });

  function setSource(text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }

  function schedule() {
    clearTimeout(state.timer);
    status.className = 'status';
    status.textContent = 'Editing…';
    state.timer = setTimeout(compileNow, DEBOUNCE_MS);
  }

  function pair(text) {
    const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
    return parts.length > 0 && parts.every(Number.isFinite) ? parts : null;
  }

  async function compileNow() {
    clearTimeout(state.timer);
    const seq = ++state.seq;
    state.controller?.abort();
    state.controller = new AbortController();
    const source = view.state.doc.toString();
    const bx = pair($('pg-box-x').value), by = pair($('pg-box-y').value);
    const request = { source, entry: state.entry ?? undefined, start: pair($('pg-start').value) ?? undefined, gridSize: 90, steps: 150, arrayLength: state.arrayLength ?? 2 };
    if (bx && by && bx.length === 2 && by.length === 2) request.box = { x0: bx[0], x1: bx[1], y0: by[0], y1: by[1] };
    status.className = 'status';
    status.textContent = 'Compiling with the generator…';
    const t0 = performance.now();
    let r;
    try {
      r = await post('/api/playground', request, state.controller.signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (seq !== state.seq) return;
      status.className = 'status error';
      status.textContent = e.message;
      $('tab-playground').dataset.state = 'error';
      return;
    }
    if (seq !== state.seq) return; // an older answer; a newer request is on its way
    const roundTrip = performance.now() - t0;
    state.result = r;
    show(r, roundTrip, view.state.doc);
  }

  function show(r, roundTrip, doc) {
    // Diagnostics at their lines in the editor, and as a list.
    const marks = [];
    const list = $('pg-diagnostics');
    list.replaceChildren();
    for (const d of r.diagnostics) {
      const li = document.createElement('li');
      li.className = d.severity;
      const where = document.createElement('span');
      where.className = 'where';
      where.textContent = d.file ? `${d.file} ${d.line}:${d.column}` : `line ${d.line}:${d.column}`;
      const text = document.createElement('span');
      text.textContent = `${d.id}: ${d.message}`;
      li.append(where, text);
      li.dataset.id = d.id;
      li.dataset.line = String(d.line);
      list.appendChild(li);
      if (!d.file && d.line >= 1 && d.line <= doc.lines) {
        const from = doc.line(d.line).from + Math.max(0, d.column - 1);
        const endLine = Math.min(Math.max(d.endLine, d.line), doc.lines);
        let to = doc.line(endLine).from + Math.max(0, d.endColumn - 1);
        to = Math.min(Math.max(to, from), doc.length);
        let clampedFrom = Math.min(from, doc.length);
        const lineInfo = doc.line(d.line);
        if (to === clampedFrom) {
          // A point (such as "; expected" at the end of a line): mark the character before it, or after it, so it shows.
          if (clampedFrom < lineInfo.to) to = clampedFrom + 1;
          else if (clampedFrom > lineInfo.from) clampedFrom -= 1;
        }
        marks.push({ from: clampedFrom, to, severity: d.severity === 'error' ? 'error' : 'warning', message: `${d.id}: ${d.message}`, source: d.id.startsWith('SG') ? 'SymbolicGrad' : 'C#' });
        li.addEventListener('click', () => { view.dispatch({ selection: { anchor: clampedFrom }, scrollIntoView: true }); view.focus(); });
      }
    }
    view.dispatch(setDiagnostics(view.state, marks));

    const t = r.timings || {};
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const parts = [`generator ${Math.round(t.generate ?? 0)} ms`, `emit ${Math.round(t.emit ?? 0)} ms`, `run ${Math.round(t.run ?? 0)} ms`];
    if ((t.queue ?? 0) > 5) parts.push(`waited ${Math.round(t.queue)} ms for a worker`);
    const timing = t.cached ? `answered from the cache in ${Math.round(roundTrip)} ms` : `${Math.round(roundTrip)} ms round trip (${parts.join(', ')})`;
    const tab = $('tab-playground');
    if (r.error) {
      status.className = 'status error';
      status.textContent = r.error;
      tab.dataset.state = r.errorKind || 'error';
    } else if (errors > 0) {
      status.className = 'status error';
      status.textContent = `${errors} error${errors > 1 ? 's' : ''} — ${timing}`;
      tab.dataset.state = 'diagnostics';
    } else {
      status.className = 'status';
      status.textContent = `Compiled and ran — ${timing}`;
      tab.dataset.state = 'ok';
    }

    // Methods.
    const entry = $('pg-entry');
    const names = r.functions.map((f) => f.name);
    if (entry.options.length !== names.length || [...entry.options].some((o, i) => o.value !== names[i])) {
      entry.replaceChildren(...names.map((n) => new Option(n, n)));
    }
    if (r.entry) entry.value = r.entry;

    const fn = r.functions.find((f) => f.name === r.entry) ?? r.functions[0];
    const generated = fn?.generated ?? (r.functions.length === 0 ? '// No [Differentiable] method yet.' : '// The generator wrote nothing for this method: see the diagnostics.');
    if (!(errors > 0 && !fn?.generated)) {
      generatedView.dispatch({ changes: { from: 0, to: generatedView.state.doc.length, insert: generated } });
    }
    $('pg-generated').dataset.hasCode = fn?.generated ? 'true' : 'false';

    if (r.start && !$('pg-start').value) $('pg-start').placeholder = r.start.map((v) => fmt(v, 4)).join(', ');
    const derivatives = $('pg-derivatives');
    derivatives.replaceChildren(...(r.derivatives ?? []).map((d) => Object.assign(document.createElement('div'), { textContent: d })));
    showCheck(r);
    if (r.ok) showWalks(r);
  }

  function showCheck(r) {
    const box = $('pg-check');
    box.replaceChildren();
    if (!r.check) {
      box.textContent = r.error ?? 'Nothing ran yet: fix the errors first.';
      box.dataset.passed = '';
      return;
    }
    const c = r.check;
    const badge = document.createElement('p');
    badge.innerHTML = `<span class="check-badge ${c.passed ? 'ok' : 'fail'}">${c.passed ? '✓ gradient check passed' : '✗ gradient check FAILED'}</span>
      <span class="muted"> at the start point; ${c.pointsPassed} of ${c.pointsChecked} points passed (<code>GradientCheck.Check</code>: generated gradient against centered differences)</span>`;
    box.dataset.passed = String(c.passed);
    const table = document.createElement('table');
    table.className = 'results';
    table.innerHTML = '<tr><th>parameter</th><th>x</th><th>generated</th><th>numeric</th><th>|error|</th><th>tolerance</th><th>ok</th></tr>';
    for (const row of c.rows) {
      const tr = document.createElement('tr');
      const cells = [row.name, fmt(row.x, 6), fmt(row.analytic, 12), fmt(row.numeric, 12), fmt(row.absoluteError, 3), fmt(row.tolerance, 3)];
      for (const v of cells) tr.appendChild(Object.assign(document.createElement('td'), { textContent: v }));
      tr.appendChild(Object.assign(document.createElement('td'), { textContent: row.passed ? 'ok' : 'FAIL', className: row.passed ? 'ok' : 'fail' }));
      table.appendChild(tr);
    }
    const pre = document.createElement('pre');
    pre.className = 'code';
    pre.textContent = c.text;
    box.append(badge, table, pre);
  }

  function showWalks(r) {
    const plot = $('pg-plot');
    const walks = r.walks;
    const colorOf = (w) => palette[Math.max(0, info.optimizers.findIndex((k) => k.id === w.kind)) % palette.length];
    if (r.landscape) {
      const b = r.box;
      let min = Infinity, max = -Infinity;
      for (const row of r.landscape.z) for (const v of row) if (typeof v === 'number') { min = Math.min(min, v); max = Math.max(max, v); }
      const log = min >= 0 && max / Math.max(1e-9, min + 1e-9) > 1e3 && max > 100;
      Plotly.react(plot, [contourTrace(r.landscape, log),
        ...walks.map((w) => ({ type: 'scatter', mode: 'lines+markers', name: w.label, meta: 'walk', line: { color: colorOf(w), width: 2.2 }, marker: { size: 3, color: colorOf(w) },
          x: w.points.map((p) => p[0]), y: w.points.map((p) => p[1]) })),
        { type: 'scatter', mode: 'markers', x: [r.start[0]], y: [r.start[1]], name: 'start', marker: { size: 12, color: '#fff', line: { color: '#111', width: 2.5 } } }],
      landscapeLayout(b, { margin: { l: 48, r: 10, t: 10, b: 40 }, xaxis: { range: [b.x0, b.x1], title: { text: r.parameterNames[0] } }, yaxis: { range: [b.y0, b.y1], title: { text: r.parameterNames[1] } } }), config);
    } else {
      Plotly.react(plot, walks.map((w) => ({ type: 'scatter', mode: 'lines', name: w.label, line: { color: colorOf(w), width: 2 },
        x: w.values.map((_, k) => k), y: w.values.map((v) => (typeof v === 'number' ? v : null)) })),
      layout({ title: { text: `${r.parameterNames.length} parameters: the loss per step (no map beyond two)`, font: { size: 13 }, x: 0.01, xanchor: 'left' }, xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'loss' } } }), config);
    }
    plot.dataset.walks = String(walks.length);
  }

  return {
    load: () => compileNow(),
    setSource,
    getSource: () => view.state.doc.toString(),
    view,
    compileNow,
  };
}
