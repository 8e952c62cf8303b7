import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Written without node: imports so the console's tsconfig (browser types only) checks it too.
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

/** The console: built into web/dist, which the API server serves; `vite` alone proxies /api to it. */
export default defineConfig({
  root,
  plugins: [react()],
  // The analytics chunk (ECharts, tree-shaken, ~210 kB gzipped) loads only with the analytics pages
  // (React.lazy in app.tsx); the customer pages' bundle stays without it.
  build: { outDir: `${root}dist`, emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: { '/api': 'http://localhost:3000', '/docs': 'http://localhost:3000' },
  },
});
