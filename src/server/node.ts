/**
 * `veil-video/server/node` — running the service in Node's `http` server: a request listener that
 * takes the service's origin from configuration (never from the request), answers every request
 * (hostile ones with a 4xx) and streams responses; plus header/body timeouts and a header cap.
 */
export {
  createVeilNodeServer,
  hardenNodeServer,
  NODE_SERVER_LIMITS,
  nodeServerOptions,
  refuseConnect,
  targetPath,
  toNodeListener,
  type NodeListener,
} from './http/node.js';
