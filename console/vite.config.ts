// The console's build (`aos_build_console` in scripts/lib.sh): static files in dist/console/, which
// the API serves at /console/ (src/api/console.ts). Everything the page loads comes from there.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  // No CDN, no runtime fetch of anything but the API: the build holds every byte the page needs.
  build: {
    // scripts/lib.sh builds beside the served folder (--outDir) and swaps it in.
    outDir: new URL('../dist/console/', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The budget (all JavaScript under 500 KB gzipped) is counted by test/e2e/console-stacks.test.ts,
    // not by this warning.
    chunkSizeWarningLimit: 2000,
  },
});
