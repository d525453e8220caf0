/**
 * Serves the admin SPA at /admin/ and the H5 app at /m/, each with a history-mode fallback to its
 * index.html. A missing build is answered with a short page that says how to build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

const ASSET_PATH = /\.(js|mjs|css|map|json|html|txt|png|jpe?g|gif|webp|svg|ico|woff2?|ttf)$/i;

const APPS = [
  { prefix: '/admin/', key: 'admin' as const, title: '优商一码通 管理端' },
  { prefix: '/m/', key: 'h5' as const, title: '优商一码通' },
];

export default fp(
  async function staticApps(app: FastifyInstance) {
    let decorated = false;
    for (const spa of APPS) {
      const root = app.config.staticDirs[spa.key];
      const index = path.join(root, 'index.html');
      const built = fs.existsSync(index);
      if (built) {
        await app.register(fastifyStatic, {
          root,
          prefix: spa.prefix,
          decorateReply: !decorated,
          index: false,
          wildcard: false,
          cacheControl: false,
          setHeaders: (res, file) => {
            // Hashed assets never change; index.html must always be fresh.
            res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
          },
        });
        decorated = true;
      }
      const sendIndex = (reply: FastifyReply) => {
        if (!built) {
          return reply
            .type('text/html; charset=utf-8')
            .send(
              `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>${spa.title}</title><body><h1>${spa.title}</h1><p>前端尚未构建，请运行 <code>pnpm build</code>。</p></body></html>`,
            );
        }
        return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(fs.createReadStream(index));
      };
      app.get(spa.prefix.slice(0, -1), { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) => reply.redirect(spa.prefix));
      app.get(spa.prefix, { config: { auth: 'public' }, schema: { hide: true } }, (_req, reply) => sendIndex(reply));
      app.get(`${spa.prefix}*`, { config: { auth: 'public' }, schema: { hide: true } }, (req, reply) => {
        const rel = (req.params as { '*': string })['*'];
        // Asset-like paths are files (a missing one is a 404); anything else — including a rating-link token
        // with a dot in it — is a client-side route.
        if (built && ASSET_PATH.test(rel)) return reply.sendFile(rel, root);
        return sendIndex(reply);
      });
    }
  },
  { name: 'static-apps', dependencies: ['db'] },
);
