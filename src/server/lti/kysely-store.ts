/**
 * `LtiStore` over Kysely: portable types only, no dialect-specific SQL. `takeLogin` is a
 * delete whose affected-row count decides who won: of two concurrent launches with one state,
 * exactly one gets the login.
 */
import type { Kysely } from 'kysely';
import type { VeilDatabase } from '../storage/kysely/schema.js';
import type { LtiDeepLink, LtiLogin, LtiRegistration, LtiStore } from './store.js';

type LoginRow = VeilDatabase['lti_logins'];

function toLogin(row: LoginRow): LtiLogin {
  return {
    stateHash: row.state_hash,
    nonce: row.nonce,
    bindingHash: row.binding_hash,
    issuer: row.issuer,
    clientId: row.client_id,
    targetLinkUri: row.target_link_uri,
    storageTarget: row.storage_target,
    expiresAt: Number(row.expires_at),
  };
}

export class KyselyLtiStore implements LtiStore {
  constructor(private readonly db: Kysely<VeilDatabase>) {}

  async registration(issuer: string, clientId?: string): Promise<LtiRegistration | undefined> {
    let query = this.db.selectFrom('lti_registrations').selectAll().where('issuer', '=', issuer);
    if (clientId !== undefined) query = query.where('client_id', '=', clientId);
    const rows = await query.limit(2).execute();
    // Without a client id the issuer must be unambiguous (LTI Core §4.1: client_id is optional).
    if (rows.length !== 1) return undefined;
    return (await this.#withDeployments(rows))[0];
  }

  async registrations(): Promise<LtiRegistration[]> {
    return this.#withDeployments(await this.db.selectFrom('lti_registrations').selectAll().orderBy('issuer').orderBy('client_id').execute());
  }

  async putRegistration(registration: LtiRegistration): Promise<void> {
    const { issuer, clientId } = registration;
    await this.db.transaction().execute(async (trx) => {
      const values = {
        auth_endpoint: registration.authEndpoint,
        token_endpoint: registration.tokenEndpoint,
        jwks_url: registration.jwksUrl,
        algorithms: registration.algorithms.join(' '),
        authorization_server: registration.authorizationServer ?? null,
      };
      await trx
        .insertInto('lti_registrations')
        .values({ issuer, client_id: clientId, created_at: Date.now(), ...values })
        .onConflict((oc) => oc.columns(['issuer', 'client_id']).doUpdateSet(values))
        .execute();
      await trx.deleteFrom('lti_deployments').where('issuer', '=', issuer).where('client_id', '=', clientId).execute();
      const deployments = Object.entries(registration.deployments).map(([deployment_id, org]) => ({ issuer, client_id: clientId, deployment_id, org }));
      if (deployments.length) await trx.insertInto('lti_deployments').values(deployments).execute();
    });
  }

  async saveLogin(login: LtiLogin): Promise<void> {
    // Expired logins are swept on the way: the table only ever holds a few minutes of launches.
    await this.db.deleteFrom('lti_logins').where('expires_at', '<', Date.now()).execute();
    await this.db
      .insertInto('lti_logins')
      .values({
        state_hash: login.stateHash,
        nonce: login.nonce,
        binding_hash: login.bindingHash,
        issuer: login.issuer,
        client_id: login.clientId,
        target_link_uri: login.targetLinkUri,
        storage_target: login.storageTarget,
        expires_at: login.expiresAt,
      })
      .execute();
  }

  async peekLogin(stateHash: string, now: number): Promise<LtiLogin | undefined> {
    const row = await this.db.selectFrom('lti_logins').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
    return row && Number(row.expires_at) > now ? toLogin(row) : undefined;
  }

  async takeLogin(stateHash: string, now: number): Promise<LtiLogin | undefined> {
    const row = await this.db.selectFrom('lti_logins').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
    if (!row) return undefined;
    const { numDeletedRows } = await this.db.deleteFrom('lti_logins').where('state_hash', '=', stateHash).executeTakeFirst();
    if (numDeletedRows !== 1n) return undefined;
    return Number(row.expires_at) > now ? toLogin(row) : undefined;
  }

  async saveDeepLink(link: LtiDeepLink): Promise<void> {
    await this.db.deleteFrom('lti_deep_links').where('expires_at', '<', Date.now()).execute();
    await this.db
      .insertInto('lti_deep_links')
      .values({
        id_hash: link.idHash,
        issuer: link.issuer,
        client_id: link.clientId,
        deployment_id: link.deploymentId,
        org: link.org,
        context_id: link.contextId,
        sub: link.sub,
        return_url: link.returnUrl,
        data: link.data,
        expires_at: link.expiresAt,
      })
      .execute();
  }

  async takeDeepLink(idHash: string, now: number): Promise<LtiDeepLink | undefined> {
    const row = await this.db.selectFrom('lti_deep_links').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    // As with logins, the delete's row count decides which of two concurrent choices wins.
    const { numDeletedRows } = await this.db.deleteFrom('lti_deep_links').where('id_hash', '=', idHash).executeTakeFirst();
    if (numDeletedRows !== 1n || Number(row.expires_at) <= now) return undefined;
    return {
      idHash: row.id_hash,
      issuer: row.issuer,
      clientId: row.client_id,
      deploymentId: row.deployment_id,
      org: row.org,
      contextId: row.context_id,
      sub: row.sub,
      returnUrl: row.return_url,
      data: row.data,
      expiresAt: Number(row.expires_at),
    };
  }

  async #withDeployments(rows: Array<VeilDatabase['lti_registrations']>): Promise<LtiRegistration[]> {
    if (rows.length === 0) return [];
    const deployments = await this.db.selectFrom('lti_deployments').selectAll().where('issuer', 'in', [...new Set(rows.map((row) => row.issuer))]).execute();
    return rows.map((row) => ({
      issuer: row.issuer,
      clientId: row.client_id,
      authEndpoint: row.auth_endpoint,
      tokenEndpoint: row.token_endpoint,
      jwksUrl: row.jwks_url,
      algorithms: row.algorithms.split(' ').filter(Boolean),
      ...(row.authorization_server === null ? {} : { authorizationServer: row.authorization_server }),
      deployments: Object.fromEntries(deployments.filter((d) => d.issuer === row.issuer && d.client_id === row.client_id).map((d) => [d.deployment_id, d.org])),
    }));
  }
}
