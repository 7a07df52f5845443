/**
 * The wire contract between the player and the token service (`POST {api}/api/playback-sessions`).
 * Shared by the browser client and the reference server so the two cannot drift apart.
 */

export type StreamProtocol = 'dash' | 'hls';

export interface PlaybackSessionRequest {
  videoId: string;
  /**
   * Renewal: the session's current (or recently expired) playback token. The new token keeps its
   * session id; perimeter and grants are checked again as for a new session.
   */
  previousToken?: string;
  /**
   * The protocols this client can play, most preferred first. The server answers with the first
   * of them the video has (`VIDEO_PROTOCOL_UNSUPPORTED` when none); without it, the video's
   * primary presentation (older clients).
   */
  protocols?: StreamProtocol[];
}

/** How keys are obtained. Keys are only ever served by authenticated key/license endpoints. */
export interface DrmConfig {
  /** EME key systems → license server URL (e.g. `org.w3.clearkey`, `com.widevine.alpha`). */
  keySystems?: Record<string, { licenseUrl: string }>;
  /** HLS AES-128: keys come from the playlist's key URI; the player adds the token header. */
  aes128?: boolean;
}

export interface WatermarkPolicy {
  required: boolean;
  /** The identity to draw, chosen by the server from the verified token, never by the host page. */
  text: string;
  intervalSeconds: number;
  minOpacity: number;
}

export interface AuditPolicy {
  /** Ingest endpoint for audit batches (arrives with the audit trail issue). */
  url: string;
}

export interface PlaybackSession {
  /** ES256 JWT: iss aud sub org vid sid iat exp jti. Sent as `Authorization: Bearer`. */
  token: string;
  /** Epoch milliseconds when `token` expires. */
  expiresAt: number;
  sessionId: string;
  videoId: string;
  manifestUrl: string;
  protocol: StreamProtocol;
  drm: DrmConfig;
  watermark: WatermarkPolicy;
  audit: AuditPolicy;
}
