/**
 * Who the viewer is, as both sides see it: the browser from its identity provider's token
 * endpoint, the token service from a verified access token. One shape for both.
 */
export interface Viewer {
  /** The issuer of the viewer's identity (exact string, as OpenID Connect compares it). */
  issuer: string;
  sub: string;
  org?: string;
  groups: string[];
  email?: string;
  name?: string;
  /**
   * Set for a viewer from an LTI launch: the course context (`lti-context:<issuer>/<deployment>/<context>`)
   * that is this viewer's whole perimeter inside the org — only videos granted to it play.
   */
  course?: string;
}
