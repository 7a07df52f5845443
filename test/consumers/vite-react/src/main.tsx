// A host app as a React developer writes it: the components from `veil-video/react`, the worker file
// from the package's exports, the API origin from the build's environment.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { VeilPlayer, VeilSession } from 'veil-video/react';
import type { VeilErrorCode } from 'veil-video';
import hlsWorkerUrl from 'veil-video/hls.worker.js?url';
import { admitScriptUrl } from './trusted-types.js';

admitScriptUrl(hlsWorkerUrl);

const veilOrigin = import.meta.env.VITE_VEIL_ORIGIN as string;

function App() {
  const [problem, setProblem] = useState<{ code: VeilErrorCode; message: string }>();
  return (
    <main>
      <h1>Intranet videos</h1>
      <VeilSession issuer={`${veilOrigin}/idp`} clientId="veil-demo" api={veilOrigin} autoSignIn>
        <VeilPlayer video="sample-hls" hlsWorkerUrl={hlsWorkerUrl} onVeilError={(event) => setProblem({ code: event.detail.code, message: event.detail.message })} />
      </VeilSession>
      {problem && (
        <p role="alert" data-code={problem.code}>
          {problem.message}
        </p>
      )}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
