import { useEffect } from 'react';

/**
 * Asks before leaving a page with unsaved edits: closing or reloading the tab (the browser's own prompt)
 * and following a link inside the dashboard (`confirm(message)`). The dashboard's router is not a data
 * router, so its `useBlocker` is not available; a click on a link is caught on the way down, before the
 * router's own handler sees it. The browser's back button is not asked about.
 */
export function useUnsavedChangesPrompt(dirty: boolean, message: string): void {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    const click = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = (e.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || link.target === '_blank' || link.origin !== location.origin)
        return;
      if (link.pathname === location.pathname && link.search === location.search) return;
      if (!window.confirm(message)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', click, true);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', click, true);
    };
  }, [dirty, message]);
}
