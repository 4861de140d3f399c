// Client routes under /console/ on the History API (the API answers index.html for any of them).
// Small on purpose: a path, a navigate() and links; each page reads its own segments.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const BASE = '/console';
const NAVIGATED = 'aos:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

/** The path below /console, e.g. `/stacks/42` ('/' for the console's root). */
function currentPath(): string {
  const path = window.location.pathname;
  const below = path.startsWith(`${BASE}/`) ? path.slice(BASE.length) : '/';
  return below || '/';
}

/** The path below /console as segments: `/stacks/42` → ['stacks', '42'] (decoded). */
export function useSegments(): string[] {
  const path = useSyncExternalStore(subscribe, currentPath);
  return path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/**
 * The query string of the current URL (never holds a token: see session.tsx).
 * @public for pages with filters in the URL (audit)
 */
export function useSearch(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return new URLSearchParams(search);
}

/**
 * `to` below /console (e.g. `/stacks/42`), as an href.
 * @public
 */
export function href(to: string): string {
  return `${BASE}${to.startsWith('/') ? to : `/${to}`}`;
}

/**
 * Goes to `to` (below /console) without a reload.
 * @public
 */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = href(to);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** A link inside the console: a real href (open in a new tab works), navigation without reload. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={href(to)} onClick={follow} {...rest} />;
}
