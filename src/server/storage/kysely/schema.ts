/**
 * The tables behind the storage interfaces, as Kysely sees them. Types are kept to what every
 * SQL dialect shares (text, integer, bigint), so PostgreSQL runs the same queries as SQLite.
 */
import type { ColumnType } from 'kysely';

export interface VideosTable {
  id: string;
  title: string;
  owner: string;
  org: string;
  general_access: string;
  protocol: string;
  manifest: string;
  protection_scheme: string;
  /** Key ids, space-separated (no JSON or array columns: they differ per dialect). */
  kids: string;
  status: string;
  created_at: number;
  /** `VideoRecord.alternatives` as JSON text (null: none): read and written whole with the record. */
  alternatives: ColumnType<string | null, string | null | undefined, string | null>;
  /** The access aggregate's version (`GrantRepository`); only access saves change it. */
  access_version: ColumnType<number, number | undefined, number>;
}

export interface VideoGrantsTable {
  video_id: string;
  principal: string;
  role: string;
  /** Epoch ms; null = no expiry. */
  expires_at: number | null;
  granted_by: string;
  granted_at: number;
}

/** One pending access request per member and video. */
export interface VideoAccessRequestsTable {
  video_id: string;
  principal: string;
  requested_at: number;
}

/** Booleans as integers 0/1 (portable); days null = none. */
export interface SharingPoliciesTable {
  org: string;
  org_access_allowed: number;
  default_expiry_days: number | null;
  max_expiry_days: number | null;
  editors_may_share: number;
  updated_by: string;
  updated_at: number;
}

export interface ContentKeysTable {
  video_id: string;
  kid: string;
  kek_id: string;
  wrapped_key: string;
}

export interface SigningKeysTable {
  kid: string;
  public_jwk: string;
  kek_id: string;
  wrapped_private_jwk: string;
  created_at: number;
  /** When another key took over signing; null for the one signing key. */
  retired_at: number | null;
  /** Which ring the key belongs to: `playback` (playback and LTI session tokens) or `lti-tool` (RS256, the LTI tool's key). */
  ring: ColumnType<string, string | undefined, string>;
}

export interface RecordingUploadsTable {
  id: string;
  owner: string;
  org: string;
  received: number;
  finished_at: number | null;
  created_at: number;
  /** Set once the recording was processed (`recording-0002`). */
  duration_ms: number | null;
}

export interface RecordingJobsTable {
  video_id: string;
  upload_id: string;
  state: string;
  progress: number;
  code: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}

export interface LtiRegistrationsTable {
  issuer: string;
  client_id: string;
  auth_endpoint: string;
  token_endpoint: string;
  jwks_url: string;
  /** Accepted id_token algorithms, space-separated. */
  algorithms: string;
  /** The client assertion's `aud` when not the token endpoint (lti-0003). */
  authorization_server: string | null;
  created_at: number;
}

export interface LtiDeploymentsTable {
  issuer: string;
  client_id: string;
  deployment_id: string;
  org: string;
}

export interface LtiLoginsTable {
  /** SHA-256 (base64url) of the state: the state itself travels only through the browser. */
  state_hash: string;
  nonce: string;
  /** SHA-256 of the secret the login left in the browser (its binding). */
  binding_hash: string;
  issuer: string;
  client_id: string;
  target_link_uri: string;
  storage_target: string | null;
  expires_at: number;
}

/** Open deep-linking pickers (LTI Deep Linking 2.0), each taken once by its choice. */
export interface LtiDeepLinksTable {
  id_hash: string;
  issuer: string;
  client_id: string;
  deployment_id: string;
  org: string;
  context_id: string;
  sub: string;
  return_url: string;
  data: string | null;
  expires_at: number;
}

export interface VeilDatabase {
  lti_registrations: LtiRegistrationsTable;
  lti_deep_links: LtiDeepLinksTable;
  lti_deployments: LtiDeploymentsTable;
  lti_logins: LtiLoginsTable;
  videos: VideosTable;
  video_grants: VideoGrantsTable;
  video_access_requests: VideoAccessRequestsTable;
  sharing_policies: SharingPoliciesTable;
  content_keys: ContentKeysTable;
  signing_keys: SigningKeysTable;
  recording_uploads: RecordingUploadsTable;
  recording_jobs: RecordingJobsTable;
}
