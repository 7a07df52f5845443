import { createContext } from '@lit/context';
import type { VeilSessionState } from './types.js';

/** Provided by `<veil-session>`, consumed by every Veil element inside it. */
export const sessionContext = createContext<VeilSessionState | undefined>(Symbol.for('veil-session'));
