import type { LiveEvent, SignedIn } from '../../src/view-model';

const BASE = '/console/api';
const KEY = 'crm-console-session';

export function session(): SignedIn | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const parsed = JSON.parse(raw) as SignedIn;
  return new Date(parsed.expiresAt).getTime() > Date.now() ? parsed : null;
}

export function saveSession(signedIn: SignedIn | null): void {
  if (signedIn) sessionStorage.setItem(KEY, JSON.stringify(signedIn));
  else sessionStorage.removeItem(KEY);
}

/** A problem the API answered: its status and the message(s) naming the field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message?: string | string[]; position?: number } | undefined,
  ) {
    super(Array.isArray(body?.message) ? body.message.join('; ') : (body?.message ?? `HTTP ${status}`));
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const token = session()?.token;
  const response = await fetch(`${BASE}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const body = (text ? JSON.parse(text) : undefined) as ApiError['body'];
  if (response.status === 401) {
    saveSession(null);
    window.dispatchEvent(new Event('crm-signed-out'));
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body as T;
}

/**
 * The server-sent event stream, read with fetch so the bearer token travels in a header (EventSource cannot
 * send one). Reconnects after a pause; `onState` tells the page whether it is live.
 */
export function liveEvents(
  onEvent: (event: LiveEvent) => void,
  onState: (live: boolean) => void,
): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch(`${BASE}/events`, {
          headers: { authorization: `Bearer ${session()?.token ?? ''}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (name === 'ready') onState(true);
            if (name === 'crm' && data) onEvent(JSON.parse(data) as LiveEvent);
          }
        }
      } catch {
        // dropped or refused: reconnect below
      }
      onState(false);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
