import { fileURLToPath, URL } from 'node:url';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig, type Plugin } from 'vitest/config';

/** Vant's icon font names a CDN copy after its inlined one; the CSP (font-src 'self' data:) refuses it, so it goes. */
function withoutRemoteFonts(): Plugin {
  const remote = /,\s*url\(\s*["']?(?:https?:)?\/\/at\.alicdn\.com[^)]*\)\s*format\(\s*["']?\w+["']?\s*\)/g;
  return {
    name: 'without-remote-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('.css')) return null;
      const stripped = code.replace(remote, '');
      return stripped === code ? null : stripped;
    },
  };
}

export default defineConfig({
  base: '/m/',
  plugins: [vue(), Components({ resolvers: [VantResolver()], dts: false }), withoutRemoteFonts()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { port: 5174, proxy: { '/api': 'http://localhost:3000' } },
  test: { name: 'h5', include: ['src/**/*.test.ts'], environment: 'happy-dom', passWithNoTests: true },
});
