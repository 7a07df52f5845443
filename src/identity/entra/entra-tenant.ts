/**
 * `<veil-session tenant>`: an Entra tenant id names its v2.0 issuer on Microsoft's global cloud.
 * Only a directory (tenant) id is a perimeter: the ID token's `iss` carries the id, never a
 * domain name, and `common`/`organizations`/`consumers` (or the consumer tenant's id) would let
 * any tenant's or any personal account's token through. Kept apart from the provider so the
 * element can name the issuer without loading msal (and pages without `tenant` load none of this).
 */
import { VeilError } from '../../protocol/errors.js';

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Personal Microsoft accounts: never an organisation's perimeter. */
const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/**
 * `https://login.microsoftonline.com/{tenant}/v2.0`; `CONFIG_INVALID` for anything but an
 * organisation's tenant id, or when `issuer` is set too (which of the two would be the perimeter?).
 */
export function entraTenantIssuer(tenant: string, issuer: string): string {
  if (issuer) throw new VeilError('CONFIG_INVALID', { message: '<veil-session> takes `issuer` or `tenant`, not both.', data: { issuer, tenant } });
  if (!TENANT_ID.test(tenant) || tenant.toLowerCase() === CONSUMER_TENANT) {
    throw new VeilError('CONFIG_INVALID', {
      message: '<veil-session> `tenant` must be the directory (tenant) id of an organisation (a GUID), not a domain, `common`, `organizations` or `consumers`.',
      data: { tenant },
    });
  }
  return `https://login.microsoftonline.com/${tenant.toLowerCase()}/v2.0`;
}
