/**
 * Sessions and secrets: JWT secret rotation, refresh-token theft, cross-site requests on the cookie
 * endpoints, security headers, CORS, and what a production log never contains.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditLogs } from '@ys/shared/schema';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { ticketBody } from './fixtures.ts';
import { build, freshDatabase, refreshCookie, type TestApp, testConfig } from './helper.ts';

const OLD_SECRET = 'the-old-secret-of-at-least-32-characters-long!';
const NEW_SECRET = 'the-new-secret-of-at-least-32-characters-long!';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

/** An HS256 token with any claims, e.g. one that expired an hour ago. */
function hs256(claims: Record<string, unknown>, secret: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

let t: TestApp;
beforeAll(async () => {
  t = await build({ JWT_SECRET: OLD_SECRET });
});
afterAll(() => t?.close());

const login = (app: FastifyInstance, username = 'center', password = 'Center@2025', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, headers });
const me = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });

describe('JWT secret rotation', () => {
  it('accepts tokens of the previous secret until they expire, and only while JWT_SECRET_PREVIOUS names it', async () => {
    const res = await login(t.app);
    const oldToken = res.json().accessToken as string;
    const userId = res.json().user.id as string;
    const ent = await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone: '13912340001' } });
    const entToken = (await t.app.inject({ method: 'POST', url: '/api/public/session', payload: { phone: '13912340001', code: ent.json().devCode } })).json()
      .token as string;

    const shared = { database: t.database, ownsDatabase: false, logger: false };
    const rotating = await buildApp({ ...shared, config: testConfig({ JWT_SECRET: NEW_SECRET, JWT_SECRET_PREVIOUS: OLD_SECRET }) });
    const rotated = await buildApp({ ...shared, config: testConfig({ JWT_SECRET: NEW_SECRET }) });
    try {
      expect((await me(rotating, oldToken)).statusCode).toBe(200);
      expect((await rotating.inject({ method: 'GET', url: '/api/public/tickets', headers: { authorization: `Bearer ${entToken}` } })).statusCode).toBe(200);
      // a token of the new secret works in the rotating app, not in one that only knows the old secret
      const fresh = (await login(rotating)).json().accessToken as string;
      expect((await me(rotating, fresh)).statusCode).toBe(200);
      expect((await me(t.app, fresh)).statusCode).toBe(401);
      // expired under the previous secret: refused
      const now = Math.floor(Date.now() / 1000);
      const expired = hs256({ kind: 'staff', sub: userId, role: 'dispatcher', iat: now - 7200, exp: now - 3600 }, OLD_SECRET);
      expect((await me(rotating, expired)).statusCode).toBe(401);
      // once the previous secret is dropped, its tokens stop working
      expect((await me(rotated, oldToken)).statusCode).toBe(401);
      expect((await me(rotated, fresh)).statusCode).toBe(200);
      // a token signed with some other key, or with alg none, never works
      expect((await me(rotating, hs256({ kind: 'staff', sub: userId, role: 'admin', iat: now, exp: now + 600 }, 'x'.repeat(40)))).statusCode).toBe(401);
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ kind: 'staff', sub: userId, role: 'admin', exp: now + 600 })).toString('base64url')}.`;
      expect((await me(rotating, none)).statusCode).toBe(401);
    } finally {
      await rotating.close();
      await rotated.close();
    }
  });
});

describe('refresh tokens', () => {
  it('sets an httpOnly, SameSite=Strict cookie on /api/auth only', async () => {
    const res = await login(t.app);
    const cookie = res.cookies.find((c) => c.name === 'ys_rt');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    expect(res.json()).not.toHaveProperty('refreshToken');
  });

  it('detects a stolen refresh token: its replay ends the whole session for thief and owner alike', async () => {
    const c1 = refreshCookie(await login(t.app, 'jy_court', 'Court@2025'));
    const owner = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c1 } });
    expect(owner.statusCode).toBe(200);
    const c2 = refreshCookie(owner);
    expect(c2).not.toBe(c1);

    const thief = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c1 }, remoteAddress: '203.0.113.9' });
    expect(thief.statusCode).toBe(401);
    expect(thief.json().error.code).toBe('UNAUTHENTICATED');
    expect(thief.cookies.find((c) => c.name === 'ys_rt')?.value).toBe('');
    // the owner's newer token belonged to the same family: revoked too
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c2 } })).statusCode).toBe(401);
    const [row] = await t.database.db.select().from(auditLogs).where(eq(auditLogs.action, 'auth.refresh_reuse'));
    expect(row).toMatchObject({ success: false, ip: '203.0.113.9', targetType: 'user' });
    // signing in again starts a new family
    expect((await login(t.app, 'jy_court', 'Court@2025')).statusCode).toBe(200);
  });
});

describe('cross-site requests on the cookie endpoints', () => {
  const refresh = async (headers: Record<string, string>) => {
    const cookie = refreshCookie(await login(t.app));
    return t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie, ...headers } });
  };

  it('refuses a refresh from another site’s page: foreign Origin, cross-site fetch, or an old browser without X-Requested-With', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'https://evil.example', 'user-agent': BROWSER },
      { origin: 'null', 'user-agent': BROWSER },
      { 'sec-fetch-site': 'cross-site', 'user-agent': BROWSER },
      { 'sec-fetch-site': 'same-site', 'user-agent': BROWSER },
      { 'user-agent': BROWSER },
    ];
    for (const headers of cases) {
      const res = await refresh(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
  });

  it('accepts the site’s own pages and clients that are not browsers', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'http://localhost:3000', 'user-agent': BROWSER },
      { origin: 'http://localhost:80', host: 'localhost:80', 'user-agent': BROWSER },
      { 'sec-fetch-site': 'same-origin', 'user-agent': BROWSER },
      { 'x-requested-with': 'XMLHttpRequest', 'user-agent': BROWSER },
      { 'user-agent': 'curl/8.5.0' },
    ];
    for (const headers of cases) {
      expect((await refresh(headers)).statusCode, JSON.stringify(headers)).toBe(200);
    }
  });

  it('does not sign out on a cross-site logout', async () => {
    const cookie = refreshCookie(await login(t.app));
    const forged = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, origin: 'https://evil.example' } });
    expect(forged.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } })).statusCode).toBe(200);
  });
});

describe('headers', () => {
  it('sends the security headers with a strict CSP on API answers and on the app shells', async () => {
    for (const url of ['/api/public/entry/jy-court', '/admin/', '/m/s/jy-court']) {
      const res = await t.app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('keeps CORS closed by default: no Access-Control-Allow-Origin, even for a preflight', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/public/entry/jy-court', headers: { origin: 'https://evil.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('opens CORS to the origins of CORS_ORIGINS only', async () => {
    const app = await buildApp({
      config: testConfig({ CORS_ORIGINS: 'https://portal.example.gov.cn' }),
      database: t.database,
      ownsDatabase: false,
      logger: false,
    });
    try {
      const ok = await app.inject({ method: 'GET', url: '/api/public/entry/jy-court', headers: { origin: 'https://portal.example.gov.cn' } });
      expect(ok.headers['access-control-allow-origin']).toBe('https://portal.example.gov.cn');
      expect(ok.headers.vary).toContain('Origin');
      const pre = await app.inject({
        method: 'OPTIONS',
        url: '/api/public/tickets',
        headers: { origin: 'https://portal.example.gov.cn', 'access-control-request-method': 'POST' },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-headers']).toContain('authorization');
      const evil = await app.inject({ method: 'GET', url: '/api/public/entry/jy-court', headers: { origin: 'https://evil.example' } });
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('the production log', () => {
  it('never holds a password, an SMS code, a token or the secret', async () => {
    const sms: { params: { code: string } }[] = [];
    const gateway = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        sms.push(JSON.parse(body));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const { database, drop } = await freshDatabase();
    const secret = 'production-secret-production-secret-0123456789';
    const config = testConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      JWT_SECRET: secret,
      DEMO_DATA: 'false',
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`,
    });
    const app = await buildApp({ config, database, ownsDatabase: false, logStream: { write: (l) => lines.push(l) } });
    try {
      const password = 'Center@2025';
      const signedIn = await login(app, 'center', password);
      expect(signedIn.statusCode).toBe(200);
      const access = signedIn.json().accessToken as string;
      const cookie = refreshCookie(signedIn);
      expect(signedIn.cookies.find((c) => c.name === 'ys_rt')?.secure).toBe(true);
      await login(app, 'center', 'Wrong#Password1');
      await login(app, 'nobody', 'Another#Secret2');
      const refreshed = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } });
      expect(refreshed.statusCode).toBe(200);
      await app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: { authorization: `Bearer ${access}` },
        payload: { oldPassword: password, newPassword: 'Newer#Pass2026' },
      });

      const phone = '13987650001';
      const otp = await app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
      expect(otp.statusCode).toBe(204); // production: the code goes by SMS only
      const code = sms[0]?.params.code as string;
      expect(code).toMatch(/^\d{6}$/);
      await app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code: code === '000000' ? '111111' : '000000' } });
      const session = await app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code } });
      expect(session.statusCode).toBe(200);
      const entToken = session.json().token as string;
      const filed = await app.inject({ method: 'POST', url: '/api/public/tickets', headers: { authorization: `Bearer ${entToken}` }, payload: ticketBody() });
      expect(filed.statusCode).toBe(201);
      await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${access}x` } });

      const log = lines.join('');
      expect(log).toContain('request completed'); // the log is there, and it is read
      // Everything but the timing fields, where six digits may occur by chance.
      const scrubbed = lines.map((l) => JSON.stringify({ ...JSON.parse(l), time: 0, responseTime: 0 })).join('\n');
      for (const [what, value] of Object.entries({
        password,
        wrongPassword: 'Wrong#Password1',
        unknownUserPassword: 'Another#Secret2',
        newPassword: 'Newer#Pass2026',
        code,
        secret,
        accessToken: access,
        refreshToken: cookie.slice('ys_rt='.length),
        refreshed: refreshCookie(refreshed).slice('ys_rt='.length),
        enterpriseToken: entToken,
        phone,
      })) {
        expect(scrubbed.includes(value), `${what} in the log`).toBe(false);
      }
    } finally {
      await app.close();
      await database.close();
      await drop();
      gateway.close();
    }
  });
});
