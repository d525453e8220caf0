import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import AutoImport from 'unplugin-auto-import/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import Components from 'unplugin-vue-components/vite';
import type { PluginOption } from 'vite';
import { defineConfig } from 'vitest/config';

// element-plus strictly on demand. unplugin types its plugins against whichever copy of vite the store
// hoists, which need not be the copy vitest's config is typed with: the plugins are the same either way.
const elementPlusOnDemand = [
  AutoImport({ resolvers: [ElementPlusResolver()], dts: false }),
  Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
] as unknown as PluginOption[];

export default defineConfig({
  base: '/admin/',
  plugins: [vue(), ...elementPlusOnDemand],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { port: 5173, proxy: { '/api': 'http://localhost:3000' } },
  build: { chunkSizeWarningLimit: 1200 },
  test: { name: 'admin', include: ['src/**/*.test.ts'], environment: 'happy-dom', passWithNoTests: true },
});
