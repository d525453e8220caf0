import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { users } from '@ys/shared/schema';
import { eq } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../lib/paging.ts';
import { staffOf } from '../../plugins/auth.ts';
import { sameSiteOnly } from '../../plugins/cors.ts';
import { StaffRoleSchema } from '../admin/schemas.ts';
import { changePassword, login, logout, publicUser, refresh, type Session } from './service.ts';

export const REFRESH_COOKIE = 'ys_rt';
const COOKIE_PATH = '/api/auth';

const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  role: StaffRoleSchema,
  stationId: Type.Union([Type.String(), Type.Null()]),
  districtCode: Type.Union([Type.String(), Type.Null()]),
  mustChangePassword: Type.Boolean(),
});
const SessionReply = Type.Object({ accessToken: Type.String(), expiresIn: Type.Integer(), user: User });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const secure = app.config.env === 'production';
  const reply = (res: FastifyReply, s: Session) => {
    res.setCookie(REFRESH_COOKIE, s.refreshToken, { httpOnly: true, sameSite: 'strict', secure, path: COOKIE_PATH, expires: s.refreshExpiresAt });
    return { accessToken: s.accessToken, expiresIn: app.config.accessTokenTtlSeconds, user: s.user };
  };

  app.post(
    '/login',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: '工作人员登录',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 50 }), password: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: SessionReply },
      },
    },
    async (req, res) => reply(res, await login(app, req, req.body.username.trim(), req.body.password)),
  );

  app.post(
    '/refresh',
    {
      config: { auth: 'public' },
      onRequest: sameSiteOnly,
      schema: { tags: ['auth'], summary: '刷新访问令牌（轮换刷新令牌；跨站请求须带 X-Requested-With）', response: { 200: SessionReply, 401: ErrorBody } },
    },
    async (req, res) => {
      const token = req.cookies[REFRESH_COOKIE];
      if (!token) {
        res.status(401);
        return res.send({ error: { code: 'UNAUTHENTICATED', message: '登录已过期，请重新登录' } });
      }
      try {
        return reply(res, await refresh(app, req, token));
      } catch (err) {
        res.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
        throw err;
      }
    },
  );

  app.post('/logout', { config: { auth: 'public' }, onRequest: sameSiteOnly, schema: { tags: ['auth'], summary: '退出登录' } }, async (req, res) => {
    await logout(app, req.cookies[REFRESH_COOKIE]);
    res.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
    return res.status(204).send();
  });

  app.get('/me', { config: { allowPendingPasswordChange: true }, schema: { tags: ['auth'], summary: '当前用户', response: { 200: User } } }, async (req) => {
    const [u] = await app.db.db
      .select()
      .from(users)
      .where(eq(users.id, staffOf(req).id));
    return publicUser(u as typeof users.$inferSelect);
  });

  app.post(
    '/password',
    {
      config: { allowPendingPasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: '修改密码',
        body: Type.Object({ oldPassword: Type.String({ minLength: 1, maxLength: 128 }), newPassword: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: SessionReply },
      },
    },
    async (req, res) => reply(res, await changePassword(app, req, staffOf(req).id, req.body.oldPassword, req.body.newPassword)),
  );
};

export default routes;
