import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// The API server `npm run dev:web` talks to (the hub started with `npm start`).
const api = process.env.JUNCTION_URL ?? 'http://127.0.0.1:3000';

/** Builds the dashboard into web/dist, which the Junction server serves (src/server/web.ts). */
export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': api, '/docs': api } },
});
