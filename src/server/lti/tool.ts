/**
 * The LTI tool, composed: registrations and logins from storage, the tool's RS256 key ring,
 * session tokens on the service's signing ring, and the routes on their own Hono app — not the
 * API router, whose `frame-ancestors 'none'` and origin gate are right for JSON but would refuse
 * the platform's cross-site `form_post` and the LMS frame. Mount `handler` at `/lti/` and add
 * `verifier` to the service's identity verifiers (and its `issuer` to the perimeter's issuers).
 */
import { Hono } from 'hono';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { VeilError } from '../../protocol/errors.js';
import type { Handler } from '../context.js';
import { errorResponse, toErrorResponse } from '../http/json.js';
import type { Guard } from '../limits/guard.js';
import { ltiRoutes } from '../routes/lti.js';
import type { SigningKeyRing } from '../storage/signing-keys.js';
import type { DeepLinkingDeps } from './deep-linking.js';
import { createNrpsClient } from './nrps.js';
import type { ToolPageAssets } from './pages.js';
import { createLtiSessionTokens, type LtiSessionSubject } from './session-token.js';
import type { LtiRegistration, LtiStore } from './store.js';

export interface LtiToolOptions {
  publicUrl: string;
  store: LtiStore;
  /** The service's signing ring (session tokens). */
  signingKeys: SigningKeyRing;
  /** The tool's own RS256 ring (`/lti/jwks`, deep-linking responses, client assertions). */
  toolKeys: SigningKeyRing;
  assets: ToolPageAssets;
  sessionTtlSeconds?: number;
  /** A registration's key set; default jose's remote JWKS (cached, refetched once on an unknown `kid`). */
  platformKeys?: (registration: LtiRegistration) => JWTVerifyGetKey;
  /** Whether a session may be renewed; default: NRPS membership (when the launch offered it) is still Active. */
  mayRenew?: (subject: LtiSessionSubject, registration: LtiRegistration) => Promise<boolean>;
  /** The NRPS client's fetch (tests); default global fetch. */
  fetch?: typeof fetch;
  guard?: Pick<Guard, 'client'>;
  log?: (error: unknown) => void;
  /** Deep Linking 2.0: the videos, grants, directory and authorizer the picker reads and grants through. */
  deepLinking?: DeepLinkingDeps;
}

export function createLtiTool(options: LtiToolOptions) {
  const publicUrl = options.publicUrl.replace(/\/$/, '');
  const log = options.log ?? console.error;
  const sessions = createLtiSessionTokens({ issuer: `${publicUrl}/lti`, audience: `${publicUrl}/api`, keys: options.signingKeys, ttlSeconds: options.sessionTtlSeconds });
  const keySets = new Map<string, JWTVerifyGetKey>();
  const remoteKeys = (registration: LtiRegistration) => {
    let keys = keySets.get(registration.jwksUrl);
    if (!keys) keySets.set(registration.jwksUrl, (keys = createRemoteJWKSet(new URL(registration.jwksUrl), { cooldownDuration: 1000 })));
    return keys;
  };
  const nrps = createNrpsClient({ toolKeys: options.toolKeys, fetch: options.fetch });
  const activeMember = async (subject: LtiSessionSubject, registration: LtiRegistration) =>
    subject.nrps === undefined || (await nrps.isActiveMember(registration, subject.nrps, subject.lsub).catch((error: unknown) => {
      // The roster cannot be read: no renewal (fail closed), and the operator hears of it.
      log(error);
      return false;
    }));
  const routes = ltiRoutes({
    publicUrl,
    store: options.store,
    sessions,
    toolKeys: options.toolKeys,
    platformKeys: options.platformKeys ?? remoteKeys,
    mayRenew: options.mayRenew ?? activeMember,
    assets: options.assets,
    ...(options.deepLinking ? { deepLinking: options.deepLinking } : {}),
  });
  const basePath = new URL(publicUrl).pathname.replace(/\/$/, '');
  const app = new Hono({ strict: true }).basePath(basePath || '/');
  for (const route of routes) {
    app.on(route.method, route.path, async (c) => {
      if (options.guard && route.limit) await options.guard.client(c.req.raw, route.limit);
      return route.handle({ request: c.req.raw, params: c.req.param() as Record<string, string>, url: new URL(c.req.url) });
    });
  }
  app.notFound(() => errorResponse(new VeilError('NOT_FOUND', { message: 'No such route.' })));
  app.onError((error) => toErrorResponse(error, log));
  const handler: Handler = async (request) => app.fetch(request);
  return { handler, sessions, issuer: sessions.issuer, verifier: sessions.verifier };
}

export type LtiTool = ReturnType<typeof createLtiTool>;
