/**
 * Cross-origin rules. CORS is closed: no Access-Control-Allow-Origin unless the Origin is in CORS_ORIGINS.
 * The cookie endpoints (refresh, logout) also refuse requests made by a page of another site, on top of
 * the SameSite=strict cookie: see sameSiteOnly.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

const ALLOW_HEADERS = 'authorization, content-type, idempotency-key, x-request-id, x-requested-with';
const ALLOW_METHODS = 'GET, POST, PATCH, DELETE';

function sameSite(request: FastifyRequest, config: Config, origin: string): boolean {
  return origin === new URL(config.publicBaseUrl).origin || origin === `${request.protocol}://${request.host}` || config.corsOrigins.includes(origin);
}

/**
 * onRequest guard of the cookie endpoints: 403 FORBIDDEN when a browser says the request comes from
 * another site — an Origin that is not this site's (or an allowed one), or Sec-Fetch-Site other than
 * same-origin. A browser too old to send either must send X-Requested-With, which a cross-site form
 * cannot set. Clients that are not browsers (no cookie jar shared with other sites) pass.
 */
export async function sameSiteOnly(this: FastifyInstance, request: FastifyRequest) {
  const { origin, 'sec-fetch-site': fetchSite, 'x-requested-with': requestedWith, 'user-agent': userAgent } = request.headers;
  if (origin !== undefined) {
    if (!sameSite(request, this.config, origin)) throw new AppError('FORBIDDEN', '请求来源不被允许');
    return;
  }
  if (typeof fetchSite === 'string') {
    if (fetchSite !== 'same-origin' && fetchSite !== 'none') throw new AppError('FORBIDDEN', '请求来源不被允许');
    return;
  }
  if (!requestedWith && /^Mozilla\//.test(userAgent ?? '')) throw new AppError('FORBIDDEN', '缺少请求头 X-Requested-With');
}

export default fp(
  async function cors(app: FastifyInstance) {
    const allowed = new Set(app.config.corsOrigins);
    if (allowed.size === 0) return;
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (!origin || !allowed.has(origin)) return;
      reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        return reply
          .status(204)
          .header('access-control-allow-methods', ALLOW_METHODS)
          .header('access-control-allow-headers', ALLOW_HEADERS)
          .header('access-control-max-age', '600')
          .send();
      }
    });
  },
  { name: 'cors', dependencies: ['db'] },
);
