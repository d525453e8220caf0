import { createApp } from 'vue';
import App from './App.vue';
import { loadEntry } from './lib/entry';
import { router } from './router';
import './styles.css';

// A scanned code: ask for the station while the app mounts, not after.
const scanned = new RegExp(`^${import.meta.env.BASE_URL}s/([^/]+)/?$`).exec(location.pathname);
if (scanned?.[1]) void loadEntry(decodeURIComponent(scanned[1])).catch(() => undefined);

createApp(App).use(router).mount('#app');
