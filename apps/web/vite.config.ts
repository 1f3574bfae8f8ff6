import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The staff web app: `npm run build:web` writes static files to apps/web/dist, which the gateway serves
 * (WEB_DIR). `npx vite apps/web` serves it with hot reload, sending /api to a gateway on GATEWAY_URL.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  // The contract's browser-safe entry (tsconfig.json maps the same name for the type check).
  resolve: { alias: { '@storecredit/contracts': fileURLToPath(new URL('../../libs/contracts/src/browser.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000' } },
});
