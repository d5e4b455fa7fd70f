/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: {
    // `npm run dev`: the API runs beside it (make run, port 8000).
    proxy: { '/api': 'http://localhost:8000' },
  },
  // nhsuk-frontend's CSS is minified already and carries old-browser hacks lightningcss refuses.
  build: { sourcemap: false, cssMinify: false },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
