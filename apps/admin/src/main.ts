import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import 'element-plus/theme-chalk/base.css';
// Styles of the services called from script (components get theirs on demand from the template).
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import App from './App.vue';
import { createAppRouter } from './router/index.ts';
import { useSessionStore } from './stores/session.ts';
import './styles/main.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createAppRouter();
app.use(router);

// A session that ends while working sends the user to sign in, and back here afterwards.
const session = useSessionStore(pinia);
watch(
  () => session.expired,
  (expired) => {
    const current = router.currentRoute.value;
    if (expired && !current.meta.public) {
      void router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } });
    }
  },
);

app.config.errorHandler = (err) => {
  console.error(err);
};

app.mount('#app');
