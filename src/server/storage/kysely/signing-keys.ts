/**
 * `SigningKeyRing` over Kysely. Private halves are stored as JWKs wrapped by the KEK; public
 * halves in the clear (they are published at the JWKS route anyway). Imported keys are cached
 * by kid (a kid names one immutable key pair); which keys are current is always read from the
 * database, so replicas sharing it agree on rotations.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { unwrap, wrap, type KekRing } from '../envelope.js';
import { SIGNING_ALG, type SigningKey, type SigningKeyRing } from '../signing-keys.js';
import { prepared } from './prepared.js';
import type { VeilDatabase } from './schema.js';

export interface SigningKeyRingOptions {
  /**
   * How long a retired key still verifies (seconds): at least the longest a token it signed is
   * accepted after issue (lifetime plus renewal or late-audit grace).
   */
  retentionSeconds: number;
  /** The ring's name in the shared table (default `playback`); rings never see each other's keys. */
  ring?: string;
  /** The ring's JWS algorithm (default ES256; the LTI tool's ring uses RS256, what platforms expect). */
  alg?: string;
}

export function privateKeyContext(kid: string): string {
  return `veil signing key ${kid}`;
}

export class KyselySigningKeyRing implements SigningKeyRing {
  readonly #publicKeys = new Map<string, Promise<CryptoKey>>();
  readonly #privateKeys = new Map<string, Promise<CryptoKey>>();
  /** The first key being created: concurrent first signatures wait for it instead of each rotating. */
  #creating: Promise<SigningKey> | undefined;
  // Every playback token signed reads the signing key, every one verified its key: compiled once (prepared.ts).
  readonly #current;
  readonly #usableKey;

  constructor(
    private readonly db: Kysely<VeilDatabase>,
    private readonly keks: KekRing,
    private readonly options: SigningKeyRingOptions,
  ) {
    this.#current = prepared(db, () =>
      db
        .selectFrom('signing_keys')
        .select(['kid', 'kek_id', 'wrapped_private_jwk'])
        .where('ring', '=', this.#ring)
        .where('retired_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('kid')
        .limit(1),
    );
    this.#usableKey = prepared(db, (kid: string, oldest: number) => this.#usable(oldest).select(['kid', 'public_jwk']).where('kid', '=', kid));
  }

  get #ring(): string {
    return this.options.ring ?? 'playback';
  }

  get #alg(): string {
    return this.options.alg ?? SIGNING_ALG;
  }

  async signingKey(): Promise<SigningKey> {
    const [row] = await this.#current();
    if (!row) return (this.#creating ??= this.rotate().finally(() => (this.#creating = undefined)));
    return { kid: row.kid, privateKey: await this.#privateKey(row.kid, row.kek_id, row.wrapped_private_jwk) };
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    const [row] = await this.#usableKey(kid, this.#oldestUsable());
    if (!row) return undefined;
    let key = this.#publicKeys.get(kid);
    if (!key) {
      key = importJWK(JSON.parse(row.public_jwk) as JWK, this.#alg) as Promise<CryptoKey>;
      this.#publicKeys.set(kid, key);
    }
    return key;
  }

  async publicJwks(): Promise<JWK[]> {
    await this.signingKey(); // a ring is never published empty: the first key exists before the first token
    const rows = await this.#usable(this.#oldestUsable()).select('public_jwk').orderBy('created_at', 'desc').orderBy('kid').execute();
    return rows.map((row) => JSON.parse(row.public_jwk) as JWK);
  }

  async rotate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(this.#alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const published: JWK = { ...publicJwk, kid, alg: this.#alg, use: 'sig' };
    const wrapped = wrap(this.keks.current, new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))), privateKeyContext(kid));
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ retired_at: now }).where('ring', '=', this.#ring).where('retired_at', 'is', null).execute();
      await trx.deleteFrom('signing_keys').where('ring', '=', this.#ring).where('retired_at', '<', now - this.options.retentionSeconds * 1000).execute();
      await trx
        .insertInto('signing_keys')
        .values({ kid, public_jwk: JSON.stringify(published), kek_id: wrapped.kekId, wrapped_private_jwk: wrapped.value, created_at: now, retired_at: null, ring: this.#ring })
        .execute();
    });
    this.#privateKeys.set(kid, Promise.resolve(privateKey));
    return { kid, privateKey };
  }

  /** Retired before this (epoch ms), a key verifies nothing. */
  #oldestUsable(): number {
    return Date.now() - this.options.retentionSeconds * 1000;
  }

  /** Keys that may verify now: the signing key and keys retired less than the retention ago. */
  #usable(oldest: number) {
    return this.db.selectFrom('signing_keys').where('ring', '=', this.#ring).where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', oldest)]));
  }

  #privateKey(kid: string, kekId: string, value: string): Promise<CryptoKey> {
    let key = this.#privateKeys.get(kid);
    if (!key) {
      const jwk = JSON.parse(new TextDecoder().decode(unwrap(this.keks, { kekId, value }, privateKeyContext(kid)))) as JWK;
      key = importJWK(jwk, this.#alg) as Promise<CryptoKey>;
      this.#privateKeys.set(kid, key);
    }
    return key;
  }
}
