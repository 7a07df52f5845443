/**
 * The LTI tool's routes (the demo contract's `/lti/login`, `/lti/launch`, `/lti/jwks`) and the
 * session renewal `<veil-session provider="lti">` calls; one place for both sides.
 */
export const LTI_ROUTES = {
  login: '/lti/login',
  launch: '/lti/launch',
  jwks: '/lti/jwks',
  /** `POST` with `Authorization: Bearer <LTI session token>` → `{ token, expiresAt }`. */
  session: '/lti/session',
  /** `POST` (form) of the deep-linking picker's choice → the signed response, auto-posted to the platform. */
  deepLink: '/lti/deep-link',
  /** The carrier script of the login and launch pages (served by the tool itself). */
  script: '/lti/launch.js',
} as const;

/** The `<meta name>` a launch's tool page carries the session token in (read once, then removed). */
export const LTI_SESSION_META = 'veil-lti-session';

/** What the renewal answers. */
export interface LtiSessionRenewal {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}
