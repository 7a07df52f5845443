/**
 * Names and Role Provisioning Services 2.0 client: the tool's access token by the OAuth 2
 * client-credentials grant with a JWT client assertion (RFC 7523, signed RS256 with the tool's
 * key), then the context's membership, page by page along `Link: rel="next"`. A member who is
 * `Inactive` or `Deleted`, or absent, is not active: their session is not renewed, so access
 * ends within one session-token lifetime.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKeyRing } from '../storage/signing-keys.js';
import type { LtiRegistration } from './store.js';

export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
export const NRPS_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
/** At most this many pages are read (a course of tens of thousands at the platform's page size). */
const MAX_PAGES = 100;

interface Member {
  user_id?: unknown;
  status?: unknown;
}

export interface NrpsClient {
  /** Whether `userId` is an `Active` member at `membershipsUrl` right now. */
  isActiveMember(registration: LtiRegistration, membershipsUrl: string, userId: string): Promise<boolean>;
}

function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (match) return match[1];
  }
  return undefined;
}

export function createNrpsClient(options: { toolKeys: Pick<SigningKeyRing, 'signingKey'>; fetch?: typeof fetch }): NrpsClient {
  const fetcher = options.fetch ?? fetch;
  const tokens = new Map<string, { token: string; expiresAt: number }>();

  async function accessToken(registration: LtiRegistration): Promise<string> {
    const audience = registration.authorizationServer ?? registration.tokenEndpoint;
    // Keyed by the audience too: a registration corrected by its administrator takes effect at once.
    const cacheKey = `${registration.issuer} ${registration.clientId} ${audience}`;
    const cached = tokens.get(cacheKey);
    if (cached && cached.expiresAt > Date.now() + 10_000) return cached.token;
    const { kid, privateKey } = await options.toolKeys.signingKey();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(registration.clientId)
      .setSubject(registration.clientId)
      // The authorization server identifier when the platform names one (Brightspace), else the
      // token endpoint (IMS Security Framework §4.1.1).
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);
    const response = await fetcher(registration.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: NRPS_SCOPE,
      }),
    });
    if (!response.ok) throw new Error(`NRPS: the token endpoint answered ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new Error('NRPS: the token endpoint sent no access_token');
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 300;
    tokens.set(cacheKey, { token: body.access_token, expiresAt: Date.now() + lifetime * 1000 });
    return body.access_token;
  }

  return {
    async isActiveMember(registration, membershipsUrl, userId) {
      const token = await accessToken(registration);
      let url: string | undefined = membershipsUrl;
      for (let page = 0; url && page < MAX_PAGES; page++) {
        const response: Response = await fetcher(url, { headers: { authorization: `Bearer ${token}`, accept: NRPS_MEDIA_TYPE } });
        if (!response.ok) throw new Error(`NRPS: the membership service answered ${response.status}`);
        const body = (await response.json()) as { members?: Member[] };
        const member = (body.members ?? []).find((candidate) => candidate.user_id === userId);
        // Status defaults to Active (NRPS 2.0 §2.2).
        if (member) return member.status === undefined || member.status === 'Active';
        const next = nextLink(response.headers.get('link'));
        // Paging stays on the membership service's origin: a page cannot send the tool elsewhere.
        url = next !== undefined && new URL(next, url).origin === new URL(membershipsUrl).origin ? new URL(next, url).href : undefined;
      }
      return false;
    },
  };
}
