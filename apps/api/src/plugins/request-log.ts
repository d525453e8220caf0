/**
 * The request log context: every line of a request carries its id (Fastify's reqId), the route pattern
 * and, once signed in, the staff user or business account. Mobile numbers never reach the log in full:
 * the last step before a line is written masks them (138****5678), whichever field they hide in.
 */
import { maskPhone } from '@ys/shared';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** pino's last hook before a line is written. */
export function maskPhones(line: string): string {
  return line.replace(MOBILE, (m) => maskPhone(m));
}

export default fp(
  async function requestLog(app: FastifyInstance) {
    // onRequest (before the auth hook): even a refused request's lines carry its route.
    app.addHook('onRequest', async (request, reply) => {
      request.log = reply.log = request.log.child({ route: request.routeOptions.url ?? 'unmatched' });
    });
    // preValidation runs after every onRequest hook, so the caller is known by then.
    app.addHook('preValidation', async (request, reply) => {
      const who = request.staff ? { userId: request.staff.id } : request.enterprise ? { accountId: request.enterprise.accountId } : null;
      if (who) request.log = reply.log = request.log.child(who);
    });
  },
  { name: 'request-log' },
);
