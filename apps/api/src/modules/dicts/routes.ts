import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { categories, districts, stations } from '@ys/shared/schema';
import { asc } from 'drizzle-orm';
import { Type } from 'typebox';
import { Category, District, StationTypeSchema } from '../admin/schemas.ts';

const StationBrief = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: StationTypeSchema,
  agencyName: Type.String(),
  districtCode: Type.String(),
  active: Type.Boolean(),
});

/** The dictionaries every staff screen needs (names for codes), in one call. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dicts',
    {
      schema: {
        tags: ['dicts'],
        summary: '基础数据字典（旗县区、站点、诉求类别）',
        response: { 200: Type.Object({ districts: Type.Array(District), stations: Type.Array(StationBrief), categories: Type.Array(Category) }) },
      },
    },
    async () => {
      const [d, s, c] = await Promise.all([
        app.db.db.select().from(districts).orderBy(asc(districts.code)),
        app.db.db
          .select({
            id: stations.id,
            code: stations.code,
            name: stations.name,
            type: stations.type,
            agencyName: stations.agencyName,
            districtCode: stations.districtCode,
            active: stations.active,
          })
          .from(stations)
          .orderBy(asc(stations.districtCode), asc(stations.code)),
        app.db.db.select().from(categories).orderBy(asc(categories.sortOrder), asc(categories.code)),
      ]);
      return { districts: d, stations: s, categories: c };
    },
  );
};

export default routes;
