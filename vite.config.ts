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
 * Vendor chunks: one file of 2 MB otherwise, and these change far less often than our code. A group also takes
 * the modules its members import (rolldown's includeDependenciesRecursively), so antd's building blocks are
 * claimed first, by priority, to keep the antd chunk itself near 550 kB.
 */
const vendorGroups = [
  { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 40 },
  { name: 'antd-base', test: /node_modules[\\/](@ant-design[\\/](?!icons)|@rc-component|rc-[^\\/]+|dayjs)/, priority: 35 },
  { name: 'antd', test: /node_modules[\\/](antd|@ant-design[\\/]icons[^\\/]*)[\\/]/, priority: 30 },
  { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 20 },
  { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
];

export default defineConfig({
  root,
  plugins: [react()],
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
