import { auditLogs } from '@ys/shared/schema';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../db/client.ts';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  success?: boolean;
  detail?: Record<string, unknown>;
  /** Overrides the request's address (a service that has the staff user but not the request). */
  ip?: string | null;
  /** Overrides the actor taken from the request (sign-in attempts name the user tried). */
  actor?: { kind: 'staff' | 'enterprise' | 'system' | 'anonymous'; id?: string | null; name?: string | null };
}

/** Appends one audit row; call it inside the transaction of the change it records. */
export async function writeAudit(executor: Executor, request: FastifyRequest | null, entry: AuditEntry): Promise<void> {
  const staff = request?.staff;
  const actor =
    entry.actor ??
    (staff
      ? { kind: 'staff' as const, id: staff.id, name: staff.name }
      : request?.enterprise
        ? { kind: 'enterprise' as const, id: request.enterprise.accountId, name: null }
        : { kind: 'anonymous' as const, id: null, name: null });
  await executor.insert(auditLogs).values({
    actorKind: actor.kind,
    actorId: actor.id ?? null,
    actorName: actor.name ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    success: entry.success ?? true,
    ip: entry.ip ?? request?.ip ?? null,
    detail: entry.detail ?? null,
  });
}
