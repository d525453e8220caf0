/**
 * The signed rating link of the resolved SMS: `{PUBLIC_BASE_URL}/m/rate/{token}`. The token names the
 * resolution (its resolved event) and its expiry, signed with a key derived from JWT_SECRET; used once
 * (rating_link_uses), valid 7 days, and only while that resolution is the ticket's latest and unrated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const RATING_LINK_DAYS = 7;

const keyOf = (secret: string) => createHmac('sha256', secret).update('youshang:rating-link:v1').digest();
const signature = (secret: string, body: string) => createHmac('sha256', keyOf(secret)).update(body).digest('base64url').slice(0, 22);

export interface RatingLink {
  eventId: number;
  expiresAt: Date;
}

export function ratingLinkExpiry(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + RATING_LINK_DAYS * 86_400_000);
}

export function signRatingLink(secret: string, link: RatingLink): string {
  const body = `${link.eventId.toString(36)}.${Math.floor(link.expiresAt.getTime() / 1000).toString(36)}`;
  return `${body}.${signature(secret, body)}`;
}

/** The link a token names, or null when it is malformed or not signed by us (any of the given secrets). */
export function readRatingLink(secrets: (string | null)[], token: string): RatingLink | null {
  const m = /^([0-9a-z]{1,12})\.([0-9a-z]{1,10})\.([\w-]{22})$/.exec(token);
  if (!m) return null;
  const body = `${m[1]}.${m[2]}`;
  const given = Buffer.from(m[3]!);
  const valid = secrets.some((s) => {
    if (!s) return false;
    const expected = Buffer.from(signature(s, body));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return null;
  return { eventId: Number.parseInt(m[1]!, 36), expiresAt: new Date(Number.parseInt(m[2]!, 36) * 1000) };
}

export function ratingLinkUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/m/rate/${token}`;
}
