import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { COLORS, type TicketStatus, ticketColor } from '@ys/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../src/modules/tickets/sweep.ts';
import { multipart, PNG } from './files.ts';
import { enterpriseToken, idOf, newPhone, post, submit, ticketBody, ticketIn, uscc } from './fixtures.ts';
import { build, type TestApp, TestClock } from './helper.ts';

const clock = new TestClock(new Date('2026-11-20T02:00:00Z')); // Friday 10:00 in Shanghai
let t: TestApp;
let tokens: { ent: string; court: string; center: string };
let stationIds: Record<string, string>;

beforeAll(async () => {
  t = await build({}, clock);
  tokens = { ent: await enterpriseToken(t), court: await t.login('jy_court'), center: await t.login('center') };
  const dicts = (await t.as(tokens.center, { method: 'GET', url: '/api/dicts' })).json();
  stationIds = Object.fromEntries(dicts.stations.map((s: { code: string; id: string }) => [s.code, s.id]));
});
afterAll(() => t.close());

const staffGet = (token: string, url: string) => t.as(token, { method: 'GET', url });

describe('routing on submission (DESIGN §3)', () => {
  it('targets the scanned station when it is of the category type', async () => {
    const { no } = await submit(t, tokens.ent, { stationCode: 'jy-court', categoryCode: 'enforcement' });
    const d = (await staffGet(tokens.center, `/api/tickets/${await idOf(t, no)}`)).json();
    expect(d).toMatchObject({
      status: 'pending_claim',
      targetStationId: stationIds['jy-court'],
      poolType: 'court',
      channel: 'qr',
      entryStationName: expect.stringContaining('九原'),
    });
  });

  it("goes to the type's pool in the ticket's district when the scanned station is of another type", async () => {
    const { no } = await submit(t, tokens.ent, { stationCode: 'jy-legal', categoryCode: 'case_progress', districtCode: '150207' });
    const d = (await staffGet(tokens.center, `/api/tickets/${await idOf(t, no)}`)).json();
    expect(d).toMatchObject({ status: 'pending_claim', targetStationId: null, poolType: 'court', poolDistrictCode: '150207' });
    // every court station of the district sees it in its pool; the legal station that was scanned does not
    const pool = await staffGet(tokens.court, '/api/tickets?view=pool');
    expect(pool.json().items.map((i: { no: string }) => i.no)).toContain(no);
    const legal = await staffGet(await t.login('jy_legal'), '/api/tickets?view=pool');
    expect(legal.json().items.map((i: { no: string }) => i.no)).not.toContain(no);
  });

  it('waits for the centre when the category has no station type', async () => {
    const { status } = await submit(t, tokens.ent, { categoryCode: 'suggestion' });
    expect(status).toBe('pending_dispatch');
  });

  it('waits for the centre when no active station of the type serves the district', async () => {
    const { status } = await submit(t, tokens.ent, { stationCode: 'jy-court', categoryCode: 'procuratorial', districtCode: '150206' });
    expect(status).toBe('pending_dispatch');
  });

  it('files without a station code as the plain web channel', async () => {
    const { no } = await submit(t, tokens.ent, { stationCode: undefined, categoryCode: 'legal_consult', districtCode: '150203' });
    const d = (await staffGet(tokens.center, `/api/tickets/${await idOf(t, no)}`)).json();
    expect(d).toMatchObject({ channel: 'h5', poolType: 'legal_service', poolDistrictCode: '150203', entryStationId: null });
  });
});

describe('deadlines (DESIGN §4)', () => {
  it('sets claimDueAt in natural hours and resolveDueAt in working days across a weekend', async () => {
    clock.set('2026-11-20T02:00:00Z'); // Fri 10:00 Shanghai
    const { no } = await submit(t, tokens.ent, { categoryCode: 'public_security', stationCode: 'jy-police' }); // 4 h, 5 working days
    const d = (await staffGet(tokens.center, `/api/tickets/${await idOf(t, no)}`)).json();
    expect(d.claimDueAt).toBe('2026-11-20T06:00:00.000Z');
    expect(d.resolveDueAt).toBe('2026-11-27T16:00:00.000Z'); // end of Fri 11-27 Shanghai
  });

  it('skips the National Day holiday and counts the make-up Saturday', async () => {
    clock.set('2026-09-30T02:00:00Z'); // Wed 09-30 Shanghai
    const { no } = await submit(t, tokens.ent, { categoryCode: 'legal_consult', stationCode: 'jy-legal' }); // 3 working days
    const d = (await staffGet(tokens.center, `/api/tickets/${await idOf(t, no)}`)).json();
    // 10-01…10-07 off; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休上班) → end of 10-10.
    expect(d.resolveDueAt).toBe('2026-10-10T16:00:00.000Z');
    clock.set('2026-11-20T02:00:00Z');
  });
});

describe('colours (DESIGN §4) in SQL', () => {
  it('turns green → yellow → orange → red as time passes, filterable by colour', async () => {
    clock.set('2026-11-23T00:00:00Z'); // Mon 08:00
    const { no } = await submit(t, tokens.ent, { categoryCode: 'legal_consult', stationCode: 'jy-legal' }); // due end of Thu 11-26 = 11-26T16:00Z
    const id = await idOf(t, no);
    const legal = await t.login('jy_legal');
    await post(t, legal, `/api/tickets/${id}/claim`);
    const span = Date.parse('2026-11-26T16:00:00Z') - Date.parse('2026-11-23T00:00:00Z');
    const colourAt = async (fraction: number) => {
      clock.set(new Date(Date.parse('2026-11-23T00:00:00Z') + span * fraction));
      return (await staffGet(legal, `/api/tickets/${id}`)).json().color;
    };
    expect(await colourAt(0.49)).toBe('green');
    expect(await colourAt(0.5)).toBe('yellow');
    expect(await colourAt(0.8)).toBe('orange');
    expect(await colourAt(1.001)).toBe('red');
    const reds = await staffGet(legal, '/api/tickets?color=red');
    expect(reds.json().items.map((i: { id: string }) => i.id)).toContain(id);
    const greens = await staffGet(legal, '/api/tickets?color=green,yellow');
    expect(greens.json().items.map((i: { id: string }) => i.id)).not.toContain(id);
    clock.set('2026-11-20T02:00:00Z');
  });

  it('is orange when the claim is overdue and sorts the most urgent first', async () => {
    clock.set('2026-11-20T02:00:00Z');
    const { no } = await submit(t, tokens.ent, { categoryCode: 'public_security', stationCode: 'jy-police' });
    clock.set('2026-11-20T06:30:00Z'); // claim due 06:00
    const police = await t.login('jy_police');
    const list = (await staffGet(police, '/api/tickets?view=pool')).json().items;
    expect(list.find((i: { no: string }) => i.no === no).color).toBe('orange');
    const ranks = list.map((i: { color: string }) => ['red', 'orange', 'yellow', 'green'].indexOf(i.color));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    clock.set('2026-11-20T02:00:00Z');
  });

  it('lists red and orange in the urgency order of the whole list, a ticket at its orange instant included', async () => {
    clock.set('2026-11-23T00:00:00Z'); // Mon 08:00
    const { no } = await submit(t, tokens.ent, { categoryCode: 'legal_consult', stationCode: 'jy-legal' }); // due 11-26T16:00Z
    await post(t, await t.login('jy_legal'), `/api/tickets/${await idOf(t, no)}/claim`);
    const police = await submit(t, tokens.ent, { categoryCode: 'public_security', stationCode: 'jy-police' }); // claim due in hours
    const orangeAt = Date.parse('2026-11-23T00:00:00Z') + (Date.parse('2026-11-26T16:00:00Z') - Date.parse('2026-11-23T00:00:00Z')) * 0.8;
    const items = async (query: string) => (await staffGet(tokens.center, `/api/tickets?${query}&limit=100`)).json();
    for (const at of [orangeAt - 1, orangeAt, orangeAt + 1, orangeAt + 5000]) {
      clock.set(new Date(at));
      const all = (await items('view=all&status=pending_dispatch,pending_claim,in_progress')).items as { no: string; color: string }[];
      const urgent = all.filter((i) => i.color === 'red' || i.color === 'orange').map((i) => i.no);
      const listed = await items('view=all&color=red,orange');
      expect(listed.items.map((i: { no: string }) => i.no)).toEqual(urgent);
      expect(listed.total).toBe(urgent.length);
      expect(urgent.includes(no)).toBe(at >= orangeAt);
      expect(urgent).toContain(police.no);
      expect(all.map((i) => i.color)).toContain('red');
    }
    clock.set('2026-11-20T02:00:00Z');
  });

  it('gives the colour and rank of the TypeScript twin, at the thresholds and around them', async () => {
    // Spans of a day to a month and odd milliseconds; instants at 0.5 and 0.8 of the span exactly, 1 ms either side,
    // past the deadline and before creation; a zero span; claim deadlines passed and not.
    const cases: { status: TicketStatus; created: number; due: number; claimDue: number | null; at: number }[] = [];
    const created = Date.parse('2026-11-02T01:23:45.678Z');
    const statuses: TicketStatus[] = ['pending_dispatch', 'pending_claim', 'in_progress', 'resolved'];
    for (const span of [0, 86_400_000, 86_400_000 * 3 + 7, 86_400_000 * 31 - 13, 999]) {
      const due = created + span;
      for (const f of [-0.1, 0, 0.3, 0.5, 0.8, 1, 1.2]) {
        for (const d of [-1, 0, 1]) {
          const at = created + Math.round(span * f) + d;
          for (const status of statuses) {
            for (const claimDue of [null, created + Math.round(span * 0.1), due + 1]) cases.push({ status, created, due, claimDue, at });
          }
        }
      }
    }
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const rows = await t.database.rows<{ color: string | null; rank: number }>(sql`select ticket_color(c.status, c.created, c.due, c.claim_due, c.at) as color,
        ticket_color_rank(c.status, c.created, c.due, c.claim_due, c.at) as rank
      from rows from (json_to_recordset(${JSON.stringify(cases.map((c) => ({ ...c, created: iso(c.created), due: iso(c.due), claim_due: iso(c.claimDue), at: iso(c.at) })))}::json)
          as (status varchar, created timestamptz, due timestamptz, claim_due timestamptz, at timestamptz)) with ordinality as c(status, created, due, claim_due, at, n)
      order by c.n`);
    const expected = cases.map((c) => {
      const color = ticketColor(
        { status: c.status, createdAt: new Date(c.created), resolveDueAt: new Date(c.due), claimDueAt: c.claimDue === null ? null : new Date(c.claimDue) },
        new Date(c.at),
      );
      return { color, rank: color === null ? 4 : COLORS.indexOf(color) };
    });
    expect(rows.map((r) => ({ color: r.color, rank: Number(r.rank) }))).toEqual(expected);
  });
});

describe('concurrency', () => {
  it('gives exactly one of 20 concurrent claims 200, the others 409 ALREADY_CLAIMED', async () => {
    const { id } = await ticketIn(t, 'pending_claim', tokens);
    const results = await Promise.all(Array.from({ length: 20 }, () => post(t, tokens.court, `/api/tickets/${id}/claim`)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error.code).toBe('ALREADY_CLAIMED');
    const events = (await staffGet(tokens.center, `/api/tickets/${id}`)).json().events.filter((e: { type: string }) => e.type === 'claimed');
    expect(events).toHaveLength(1);
  });

  it('numbers 30 concurrent submits uniquely and without gaps', async () => {
    clock.set('2026-11-21T03:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody() })),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const seq = results.map((r) => Number(r.json().no.slice(10))).sort((a, b) => a - b);
    expect(results.every((r) => r.json().no.startsWith('YS20261121'))).toBe(true);
    expect(seq).toEqual(Array.from({ length: 30 }, (_, i) => seq[0]! + i));
    clock.set('2026-11-20T02:00:00Z');
  });

  it('numbers 200 concurrent submits over the day gaplessly, each answer naming its own ticket', async () => {
    clock.set('2026-11-22T03:00:00Z');
    const bodies = Array.from({ length: 200 }, (_, i) => ({
      ...ticketBody(),
      title: `并发诉求 ${i}`,
      uscc: uscc(`91150207MA0N${String(i).padStart(5, '0')}`),
    }));
    const results = await Promise.all(bodies.map((payload) => t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload })));
    expect(results.map((r) => r.statusCode)).toEqual(bodies.map(() => 201));
    const answers = results.map((r) => r.json());
    const seq = answers.map((a) => Number(a.no.slice(10))).sort((a, b) => a - b);
    expect(answers.every((a) => a.no.startsWith('YS20261122'))).toBe(true);
    expect(seq).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const [i, a] of answers.entries()) expect({ title: a.title, uscc: a.uscc }).toEqual({ title: bodies[i]!.title, uscc: bodies[i]!.uscc });
    // What was stored under each number is the ticket its answer described, with its event, notifications and SMS.
    const rows = await t.database.rows<{ no: string; title: string; uscc: string; events: number; sms: number }>(
      sql`select t.no, t.title, t.uscc, (select count(*)::int from ticket_events e where e.ticket_id = t.id and e.type = 'submitted') as events,
        (select count(*)::int from sms_outbox s where s.params->>'no' = t.no) as sms
       from tickets t where t.no like 'YS20261122%'`,
    );
    const stored = new Map(rows.map((r) => [r.no, r]));
    for (const a of answers) expect(stored.get(a.no)).toMatchObject({ title: a.title, uscc: a.uscc, events: 1, sms: 1 });
    clock.set('2026-11-20T02:00:00Z');
  });

  it('returns the first ticket for a retried submit with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': `k-${Date.now()}` };
    const [a, b] = await Promise.all([
      t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody(), headers }),
      t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody(), headers }),
    ]);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(a.json().no).toBe(b.json().no);
  });
});

describe('search (q)', () => {
  it('finds a part of the name or the title, letters in any case, wildcards literally', async () => {
    const a = await submit(t, tokens.ent, { enterpriseName: '包头燚犇Acme公司', title: '合同咨询' });
    const b = await submit(t, tokens.ent, { enterpriseName: '其他公司', title: '关于燚犇项目的问题' });
    const c = await submit(t, tokens.ent, { enterpriseName: '无关公司', title: 'ACME 100% 燚完成' });
    const found = async (q: string) =>
      ((await staffGet(tokens.center, `/api/tickets?q=${encodeURIComponent(q)}&limit=100`)).json().items as { no: string }[])
        .map((i) => i.no)
        .filter((no) => [a.no, b.no, c.no].includes(no))
        .sort();
    expect(await found('燚犇')).toEqual([a.no, b.no].sort());
    expect(await found('acme')).toEqual([a.no, c.no].sort());
    expect(await found('燚犇a')).toEqual([a.no]);
    expect(await found('100%')).toEqual([c.no]);
    expect(await found('0% 燚')).toEqual([c.no]);
    expect(await found('燚_')).toEqual([]);
  });
});

describe('scope: out of scope is 404, never 403', () => {
  it('hides a ticket from another station, another district and another business, for read and every action', async () => {
    const { id, no } = await ticketIn(t, 'in_progress', tokens);
    const admin = await t.login('admin');
    await t.as(admin, {
      method: 'POST',
      url: '/api/admin/users',
      payload: { username: 'kd_center', name: '昆区调度', password: 'Kd@2025ab', role: 'dispatcher', districtCode: '150203' },
    });
    const kdCenter = await t.login('kd_center', 'Kd@2025ab');
    const changed = await t.as(kdCenter, { method: 'POST', url: '/api/auth/password', payload: { oldPassword: 'Kd@2025ab', newPassword: 'Kd@2026cd' } });
    const outsiders = { kd_court: await t.login('kd_court'), kd_center: changed.json().accessToken as string };
    for (const [who, token] of Object.entries(outsiders)) {
      expect((await staffGet(token, `/api/tickets/${id}`)).statusCode, who).toBe(404);
      expect((await staffGet(token, `/api/tickets?q=${no}`)).json().total, who).toBe(0);
      for (const path of [
        'claim',
        'transfer',
        'return',
        'messages',
        'request-supplement',
        'extension',
        'extension/decision',
        'resolve',
        'visit',
        'supervise',
        'dispatch',
        'invalidate',
        'merge',
        'reassign',
      ]) {
        const res = await post(t, token, `/api/tickets/${id}/${path}`, {
          reason: 'x',
          content: 'x',
          visibility: 'public',
          days: 1,
          approve: true,
          note: 'x',
          result: 'x',
          method: 'phone',
          solved: true,
          satisfaction: 'satisfied',
          intoId: id,
          assigneeId: id,
          poolType: 'court',
          districtCode: '150207',
        });
        expect([403, 404], `${who} ${path}: ${res.body}`).toContain(res.statusCode);
        expect(res.statusCode === 400).toBe(false);
      }
    }
    const other = await enterpriseToken(t);
    expect((await t.as(other, { method: 'GET', url: `/api/public/tickets/${no}` })).statusCode).toBe(404);
    for (const path of ['withdraw', 'rating', 'supplements']) {
      const res = await post(t, other, `/api/public/tickets/${no}/${path}`, { reason: 'x', content: 'x', solved: true, satisfaction: 'satisfied' });
      expect(res.statusCode, path).toBe(404);
    }
    expect((await t.as(other, { method: 'GET', url: '/api/public/tickets' })).json().total).toBe(0);
  });

  it('keeps staff and enterprise tokens apart', async () => {
    expect((await t.as(tokens.ent, { method: 'GET', url: '/api/tickets' })).statusCode).toBe(401);
    expect((await t.as(tokens.court, { method: 'GET', url: '/api/public/tickets' })).statusCode).toBe(401);
  });
});

describe('the enterprise timeline', () => {
  it('shows public events with station names, never staff names or internal notes', async () => {
    const { id, no } = await ticketIn(t, 'in_progress', tokens);
    await post(t, tokens.court, `/api/tickets/${id}/messages`, { content: '内部：当事人曾有不良记录', visibility: 'internal' });
    await post(t, tokens.court, `/api/tickets/${id}/messages`, { content: '您好，已转交承办法官', visibility: 'public' });
    await post(t, tokens.center, `/api/tickets/${id}/supervise`, { note: '内部督办意见' });
    const pub = await t.as(tokens.ent, { method: 'GET', url: `/api/public/tickets/${no}` });
    const text = pub.body;
    expect(text).not.toContain('王法官');
    expect(text).not.toContain('不良记录');
    expect(text).not.toContain('内部督办');
    expect(text).toContain('您好，已转交承办法官');
    const claimed = pub.json().events.find((e: { type: string }) => e.type === 'claimed');
    expect(claimed.stationName).toContain('法官工作站');
    expect(pub.json().events.some((e: { type: string }) => e.type === 'supervised')).toBe(false);
  });

  it('lists the files of public events and of the business, never those of an internal note; staff see them all', async () => {
    const { id, no } = await ticketIn(t, 'in_progress', tokens);
    const upload = async (name: string) => {
      const res = await t.as(tokens.court, { method: 'POST', url: '/api/attachments', ...multipart(name, PNG) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const hidden = await upload('内部照片.png');
    const shown = await upload('公开照片.png');
    await post(t, tokens.court, `/api/tickets/${id}/messages`, { content: '内部：附现场照片', visibility: 'internal', attachmentIds: [hidden] });
    await post(t, tokens.court, `/api/tickets/${id}/messages`, { content: '已处理，附照片', visibility: 'public', attachmentIds: [shown] });

    const pub = (await t.as(tokens.ent, { method: 'GET', url: `/api/public/tickets/${no}` })).json();
    expect(pub.attachments.map((a: { name: string }) => a.name)).toEqual(['公开照片.png']);
    expect(pub.events.map((e: { type: string }) => e.type)).not.toContain('internal');
    expect(pub.events.at(-1)).toMatchObject({ type: 'message', data: { content: '已处理，附照片' } });
    const download = async (id: string) => (await t.as(tokens.ent, { method: 'GET', url: `/api/public/attachments/${id}` })).statusCode;
    expect(await download(shown)).toBe(200);
    expect(await download(hidden)).toBe(404);

    const detail = (await staffGet(tokens.court, `/api/tickets/${id}`)).json();
    expect(detail.attachments.map((a: { name: string }) => a.name)).toEqual(['内部照片.png', '公开照片.png']);
    const events = detail.events as { id: number; type: string; visibility: string; createdAt: string; actorStationName: string | null }[];
    expect(events.map((e) => e.visibility)).toContain('internal');
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    for (const e of events) {
      expect(typeof e.id).toBe('number');
      expect(e.createdAt).toBe(new Date(e.createdAt).toISOString());
    }
    expect(events.find((e) => e.type === 'claimed')?.actorStationName).toContain('法官工作站');
  });
});

describe('the sweep', () => {
  it('closes resolved tickets unrated for 7 days and notes overdue ones, once, even when run twice in parallel', async () => {
    clock.set('2026-11-20T02:00:00Z');
    const resolved = await ticketIn(t, 'resolved', tokens);
    const open = await ticketIn(t, 'pending_claim', tokens);
    const later = new Date('2026-12-31T00:00:00Z');
    const [a, b] = await Promise.all([runSweep(t.database, later), runSweep(t.database, later)]);
    expect(a.closed + b.closed).toBeGreaterThanOrEqual(1);
    const r = (await staffGet(tokens.center, `/api/tickets/${resolved.id}`)).json();
    expect(r.status).toBe('closed');
    expect(r.events.filter((e: { type: string }) => e.type === 'closed')).toHaveLength(1);
    const o = (await staffGet(tokens.center, `/api/tickets/${open.id}`)).json();
    expect(o.events.filter((e: { type: string }) => e.type === 'overdue')).toHaveLength(1);
    expect(o.events.filter((e: { type: string }) => e.type === 'claim_overdue')).toHaveLength(1);
    const again = await runSweep(t.database, later);
    expect(again.closed + again.overdue + again.claimOverdue).toBe(0);
  });
});

describe('validation of a submit', () => {
  it('refuses a bad USCC, a missing consent, an unknown category and district, an overlong title', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ uscc: '91150207MA0N12345X' === uscc() ? '91150207MA0N12345Y' : '91150207MA0N12345X' }, /统一社会信用代码/],
      [{ consent: false }, /同意/],
      [{ categoryCode: 'nope' }, /类别/],
      [{ districtCode: '999999' }, /旗县区/],
      [{ title: '长'.repeat(61) }, /标题|title/],
      [{ content: '   ' }, /内容|content/],
      [{ stationCode: 'no-such' }, /站点/],
    ];
    for (const [override, message] of cases) {
      const res = await t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody(override) });
      expect(res.statusCode, JSON.stringify(override)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('answers 404 for an unknown or inactive station entry', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/public/entry/nope' })).statusCode).toBe(404);
  });
});

describe('OTP sign-in', () => {
  it('refuses non-mainland numbers, limits resends, and locks a code after 5 wrong tries', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone: '+85291234567' } })).statusCode).toBe(400);
    const phone = newPhone();
    const first = await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
    expect(first.statusCode).toBe(200);
    const again = await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
    expect(again.statusCode).toBe(429);
    expect(again.headers['retry-after']).toBeDefined();
    const wrong = first.json().devCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      expect((await t.app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code: wrong } })).statusCode).toBe(400);
    const locked = await t.app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code: first.json().devCode } });
    expect(locked.statusCode).toBe(400);
    expect(locked.json().error.message).toContain('次数过多');
  });

  it('expires a code after 5 minutes and allows ten sends a day', async () => {
    const phone = newPhone();
    clock.set('2026-11-24T01:00:00Z');
    const code = (await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } })).json().devCode;
    clock.advance(5 * 60_000 + 1000);
    expect((await t.app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code } })).statusCode).toBe(400);
    for (let i = 1; i < 10; i++) {
      clock.advance(61_000);
      expect((await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } })).statusCode).toBe(200);
    }
    clock.advance(61_000);
    const eleventh = await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json().error.message).toContain('上限');
    clock.set('2026-11-20T02:00:00Z');
  });
});

describe('uploads', () => {
  const upload = (token: string, name: string, bytes: Buffer) => t.as(token, { method: 'POST', url: '/api/public/uploads', ...multipart(name, bytes) });

  it('stores a real PNG under a random name and binds it to the ticket; only who may see the ticket downloads it', async () => {
    const res = await upload(tokens.ent, '现场照片.png', PNG);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: '现场照片.png', mime: 'image/png', size: PNG.length });
    const { no } = await submit(t, tokens.ent, { attachmentIds: [res.json().id] });
    const id = await idOf(t, no);
    const dl = await staffGet(tokens.court, `/api/attachments/${res.json().id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(PNG)).toBe(true);
    expect(dl.headers['content-disposition']).toContain("filename*=UTF-8''%E7%8E%B0");
    expect((await staffGet(await t.login('kd_court'), `/api/attachments/${res.json().id}`)).statusCode).toBe(404);
    expect((await t.as(await enterpriseToken(t), { method: 'GET', url: `/api/public/attachments/${res.json().id}` })).statusCode).toBe(404);
    expect((await t.as(tokens.ent, { method: 'GET', url: `/api/public/attachments/${res.json().id}` })).statusCode).toBe(200);
    // a ticket takes an attachment once
    const reuse = await t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody({ attachmentIds: [res.json().id] }) });
    expect(reuse.statusCode).toBe(400);
    expect((await staffGet(tokens.court, `/api/tickets/${id}`)).json().attachments).toHaveLength(1);
  });

  it('refuses a disguised executable, an 11 MB file and an empty file; strips a path-traversal name', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    expect((await upload(tokens.ent, 'photo.jpg', exe)).statusCode).toBe(415);
    expect((await upload(tokens.ent, 'photo.pdf', PNG)).statusCode).toBe(415);
    const big = await upload(tokens.ent, 'big.png', Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await upload(tokens.ent, 'empty.png', Buffer.alloc(0))).statusCode).toBe(400);
    const sneaky = await upload(tokens.ent, '../../etc/passwd.png', PNG);
    expect(sneaky.statusCode).toBe(201);
    expect(sneaky.json().name).toBe('passwd.png');
  });
});

describe('mini-program sign-in', () => {
  it('exchanges a wx.login code through code2session for an enterprise token', async () => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/sns/jscode2session' && url.searchParams.get('js_code') === 'good-code' && url.searchParams.get('appid') === 'wx123') {
        res.end(JSON.stringify({ openid: 'o-test-openid', session_key: 'k' }));
      } else res.end(JSON.stringify({ errcode: 40029, errmsg: 'invalid code' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const mp = await build({ WECHAT_API_BASE: base, WECHAT_APPID: 'wx123', WECHAT_SECRET: 'secret' });
    try {
      const bad = await mp.app.inject({ method: 'POST', url: '/api/public/mp/session', payload: { code: 'bad-code' } });
      expect(bad.statusCode).toBe(400);
      const ok = await mp.app.inject({ method: 'POST', url: '/api/public/mp/session', payload: { code: 'good-code' } });
      expect(ok.statusCode, ok.body).toBe(200);
      const token = ok.json().token;
      const noPhone = await mp.as(token, { method: 'POST', url: '/api/public/tickets', payload: ticketBody() });
      expect(noPhone.statusCode).toBe(400);
      const filed = await mp.as(token, { method: 'POST', url: '/api/public/tickets', payload: ticketBody({ contactPhone: '13900000000' }) });
      expect(filed.statusCode, filed.body).toBe(201);
      expect((await mp.as(await mp.login('center'), { method: 'GET', url: `/api/tickets?q=${filed.json().no}` })).json().items[0].channel).toBe('mp');
      expect((await mp.as(token, { method: 'GET', url: '/api/tickets' })).statusCode).toBe(401);
    } finally {
      await mp.close();
      server.close();
    }
  });
});
