/**
 * Upload tokens: short-lived ES256 JWTs bound to the uploader (`sub`, `org`) and one upload
 * (`upl`), signed by the same key ring as playback tokens but with their own `typ` and audience,
 * so neither kind of token is accepted where the other is expected.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { VeilError } from '../../protocol/errors.js';
import { UPLOAD_TOKEN_TTL_SECONDS } from '../../protocol/recording.js';
import { SIGNING_ALG, type SigningKeyRing } from '../storage/signing-keys.js';

export const UPLOAD_TOKEN_TYP = 'veil-upload+jwt';

export interface UploadTokenClaims {
  sub: string;
  org: string;
  upl: string;
}

export interface UploadTokenService {
  sign(subject: UploadTokenClaims): Promise<{ token: string; expiresAt: number }>;
  /** The token's claims if it is a genuine, current upload token; else `UPLOAD_TOKEN_INVALID`. */
  verify(token: string | undefined): Promise<UploadTokenClaims>;
}

export function createUploadTokenService(options: { issuer: string; keys: SigningKeyRing; ttlSeconds?: number }): UploadTokenService {
  const audience = `${options.issuer.replace(/\/$/, '')}/api/uploads`;
  const ttlSeconds = options.ttlSeconds ?? UPLOAD_TOKEN_TTL_SECONDS;
  const invalid = (reason: string, cause?: unknown) => new VeilError('UPLOAD_TOKEN_INVALID', { cause, data: { reason } });

  return {
    async sign({ sub, org, upl }) {
      const iat = Math.floor(Date.now() / 1000);
      const { kid, privateKey } = await options.keys.signingKey();
      const token = await new SignJWT({ org, upl })
        .setProtectedHeader({ alg: SIGNING_ALG, typ: UPLOAD_TOKEN_TYP, kid })
        .setIssuer(options.issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresAt: (iat + ttlSeconds) * 1000 };
    },

    async verify(token) {
      if (!token) throw invalid('missing');
      let payload;
      try {
        ({ payload } = await jwtVerify(
          token,
          async (header) => {
            const key = header.kid === undefined ? undefined : await options.keys.verificationKey(header.kid);
            if (!key) throw new joseErrors.JWKSNoMatchingKey();
            return key;
          },
          { algorithms: [SIGNING_ALG], typ: UPLOAD_TOKEN_TYP, issuer: options.issuer, audience, requiredClaims: ['sub', 'org', 'upl', 'exp'] },
        ));
      } catch (cause) {
        throw invalid(cause instanceof joseErrors.JWTExpired ? 'expired' : 'verification', cause);
      }
      const { sub, org, upl } = payload as Partial<UploadTokenClaims>;
      if (typeof sub !== 'string' || typeof org !== 'string' || typeof upl !== 'string') throw invalid('claims');
      return { sub, org, upl };
    },
  };
}
