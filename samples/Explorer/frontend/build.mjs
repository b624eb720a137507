// Bundles the front end into dist/ (git-ignored): app.js (CodeMirror, plotly.js and our modules), app.css, index.html.
// Run by the Explorer's build (Explorer.csproj) after `npm ci`; `node build.mjs` by hand works too.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  outfile: 'dist/app.js',
  legalComments: 'linked',
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: ['src/styles.css'],
  bundle: true,
  minify: true,
  outfile: 'dist/app.css',
  logLevel: 'warning',
});
copyFileSync('index.html', 'dist/index.html');
