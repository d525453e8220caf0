/**
 * The SMS provider behind one interface: `log` (development: the message goes to the server log) or
 * `webhook` (a JSON POST to the operator's SMS gateway, with a timeout and retries).
 */
import { maskPhone } from '@ys/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.ts';

export interface SmsMessage {
  phone: string;
  template: 'otp' | 'received' | 'claimed' | 'supplement_requested' | 'resolved';
  params: Record<string, string>;
}

export interface SmsProvider {
  readonly name: 'log' | 'webhook';
  send(message: SmsMessage): Promise<void>;
}

export function createSmsProvider(config: Config, log: FastifyBaseLogger): SmsProvider {
  if (config.smsProvider === 'log') {
    return {
      name: 'log',
      async send(m) {
        log.info({ sms: { phone: maskPhone(m.phone), template: m.template, params: m.params } }, 'SMS (log provider)');
      },
    };
  }
  const url = config.smsWebhookUrl as string;
  return {
    name: 'webhook',
    async send(m) {
      let lastError: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(m),
            signal: AbortSignal.timeout(config.smsWebhookTimeoutMs),
          });
          if (res.ok) return;
          lastError = new Error(`SMS webhook answered ${res.status}`);
          if (res.status < 500 && res.status !== 429) break;
        } catch (err) {
          lastError = err;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
      log.warn({ phone: maskPhone(m.phone), template: m.template, err: String(lastError) }, 'SMS webhook failed');
      throw lastError instanceof Error ? lastError : new Error(String(lastError));
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    sms: SmsProvider;
  }
}
