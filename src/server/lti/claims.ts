/**
 * The LTI 1.3 claims Veil reads (LTI Core 1.3 §5.3–5.4), their caps, and what a launch's roles
 * give in the course: Instructor, TeachingAssistant, ContentDeveloper and Administrator of the
 * context may pick and share; Learner and Mentor may watch; institution and system roles give no
 * course rights. Short (simple) role names are accepted as context roles (LTI Core §A.2.3.1).
 */

export const LTI_CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  // LTI Deep Linking 2.0 §4.4 (request) and §4.5 (response).
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  deepLinkingData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
} as const;

export const LTI_VERSION = '1.3.0';
export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';
export const DEEP_LINKING_RESPONSE = 'LtiDeepLinkingResponse';

/** Caps on what Veil reads (characters / entries): ids per LTI Core (255), names, role lists. */
export const CLAIM_CAPS = { id: 255, name: 200, roles: 100, role: 255 } as const;

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const MEMBERSHIP_SUB = 'http://purl.imsglobal.org/vocab/lis/v2/membership/';

/** `instructor`: picks and shares; `learner`: watches. */
export type CourseRole = 'instructor' | 'learner';

const INSTRUCTOR_ROLES = new Set(['Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Administrator']);
const LEARNER_ROLES = new Set(['Learner', 'Mentor']);

/** The context role named by one `roles` entry (full URI, sub-role URI or short name), if any. */
function contextRole(role: string): string | undefined {
  if (role.startsWith(MEMBERSHIP)) return role.slice(MEMBERSHIP.length);
  // Sub-roles: `membership/Instructor#TeachingAssistant` names the sub-role.
  if (role.startsWith(MEMBERSHIP_SUB)) return role.slice(role.indexOf('#') + 1) || undefined;
  return role.includes(':') || role.includes('/') ? undefined : role;
}

/** The strongest course right the roles give, or undefined (institution/system roles only, or none). */
export function courseRole(roles: readonly string[]): CourseRole | undefined {
  const names = roles.map(contextRole).filter((name): name is string => name !== undefined);
  if (names.some((name) => INSTRUCTOR_ROLES.has(name))) return 'instructor';
  if (names.some((name) => LEARNER_ROLES.has(name))) return 'learner';
  return undefined;
}

/** The grant principal of a course: `lti-context:<issuer>/<deployment>/<context>` (demo contract). */
export function coursePrincipal(issuer: string, deploymentId: string, contextId: string): `lti-context:${string}` {
  return `lti-context:${issuer}/${deploymentId}/${contextId}`;
}
