import { useEffect, useState } from 'react';

const BASE = '/console';

/** The path below /console, kept in the address bar (history API), so pages can be bookmarked. */
export function usePath(): string {
  const [path, setPath] = useState(() => window.location.pathname.slice(BASE.length) || '/');
  useEffect(() => {
    const update = () => setPath(window.location.pathname.slice(BASE.length) || '/');
    window.addEventListener('popstate', update);
    window.addEventListener('crm-navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('crm-navigate', update);
    };
  }, []);
  return path;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new Event('crm-navigate'));
}
