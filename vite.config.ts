import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web UI (src/web). `npx vite` serves it with the API proxied to the local server; `npx vite build` writes
 * dist/web, which the Fastify server serves in production.
 */
const root = fileURLToPath(new URL('./src/web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));
/** Where the dev server forwards API calls; override with YILIAN_API_URL when the server runs on another port. */
const apiTarget = process.env.YILIAN_API_URL ?? 'http://127.0.0.1:3000';
/**
 * Server paths. The API is matched as /api/v<n>/ only: the UI's own source folder src/web/api/ is served by the dev
 * server at /api/*.ts and must not be forwarded.
 */
const proxied = ['^/api/v\\d+(/|$)', '/auth', '/fhir', '/scim'];

/**
 * Cornerstone3D (the diagnosis DicomViewer, imported on demand) and the libraries only it uses in the UI: vtk.js,
 * dcmjs (via @cornerstonejs/metadata and utils), dicom-parser, gl-matrix, d3 … (about 4.5 MB minified). These stay
 * out of every vendor group, so rolldown puts them in lazy chunks of their own behind the dynamic import. Groups for
 * them were tried: `maxSize` splitting breaks vtk.js's circular imports at run time ("Cannot destructure property
 * 'ColorMode'"), and a group also captures Vite's preload helper, which makes the page load it eagerly.
 */
const cornerstoneOnly =
  /node_modules[\\/](@cornerstonejs|@kitware[\\/]vtk\.js|dcmjs|dicom-parser|gl-matrix|comlink|loglevel|d3-[^\\/]+|internmap|lodash\.get|clipper2-ts|xmlbuilder2|@oozcitak|js-yaml|fflate|pako)[\\/]/;

/**
 * Vendor chunks: one file of 2 MB otherwise, and these change far less often than our code. A group also takes
 * the modules its members import (rolldown's includeDependenciesRecursively), so antd's building blocks are
 * claimed first, by priority, to keep the antd chunk itself near 550 kB.
 */
const vendorGroups = [
  { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 40 },
  { name: 'antd-base', test: /node_modules[\\/](@ant-design[\\/](?!icons)|@rc-component|rc-[^\\/]+|dayjs)/, priority: 35 },
  { name: 'antd', test: /node_modules[\\/](antd|@ant-design[\\/]icons[^\\/]*)[\\/]/, priority: 30 },
  { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 20 },
  // Not Cornerstone's libraries (see cornerstoneOnly): they would make this eagerly loaded chunk 4 MB larger.
  { name: 'vendor', test: (id: string) => /node_modules[\\/]/.test(id) && !cornerstoneOnly.test(id), priority: 10 },
];

export default defineConfig({
  root,
  plugins: [react()],
  // Cornerstone's DICOM image loader decodes in module web workers that load their codecs (WASM) with dynamic
  // imports: workers must be built as ES modules (the default 'iife' cannot split code), as Cornerstone's Vite guide
  // says. In dev, the loader is not pre-bundled so its `new URL('./decodeImageFrameWorker.js', import.meta.url)`
  // still points at the real file; its CommonJS dependency dicom-parser then has to be pre-bundled explicitly.
  worker: { format: 'es' },
  // @cornerstonejs/metadata and utils pin dcmjs 0.52.0 and so get a nested copy each (the server uses 0.52.2):
  // resolve all three to the one top-level copy, or viewer pages download dcmjs twice (+650 kB).
  // vtk.js (under Cornerstone) imports xmlbuilder2, whose Node entry needs Node's `events`; use its browser bundle.
  resolve: {
    dedupe: ['dcmjs'],
    alias: [{ find: /^xmlbuilder2$/, replacement: 'xmlbuilder2/lib/xmlbuilder2.min.js' }],
  },
  optimizeDeps: {
    exclude: ['@cornerstonejs/dicom-image-loader'],
    include: ['dicom-parser'],
  },
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: { codeSplitting: { groups: vendorGroups } },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
});
