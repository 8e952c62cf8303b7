import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Written without node: imports so the console's tsconfig (browser types only) checks it too.
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

/** The console: built into web/dist, which the API server serves; `vite` alone proxies /api to it. */
export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: `${root}dist`, emptyOutDir: true },
  server: {
    proxy: { '/api': 'http://localhost:3000', '/docs': 'http://localhost:3000' },
  },
});
