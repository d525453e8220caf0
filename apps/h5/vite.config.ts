import { fileURLToPath, URL } from 'node:url';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/m/',
  plugins: [vue(), Components({ resolvers: [VantResolver()], dts: false })],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { port: 5174, proxy: { '/api': 'http://localhost:3000' } },
  test: { name: 'h5', include: ['src/**/*.test.ts'], environment: 'happy-dom', passWithNoTests: true },
});
