import { createContext, type ReactNode, useContext } from 'react';
import type { FormFieldSchema, SystemDescription } from '../../src/core/system-description.ts';
import { useResource } from './hooks.ts';

export type { FormFieldSchema, SystemDescription } from '../../src/core/system-description.ts';

const SystemsContext = createContext<SystemDescription[] | undefined>(undefined);

/**
 * The systems Junction connects to, as their connectors describe themselves (`GET /api/systems`): loaded
 * once for the signed-in shell; forms, marks and the import page read them from here.
 */
export function SystemsProvider({ children }: { children: ReactNode }) {
  const systems = useResource<{ systems: SystemDescription[] }>('/api/systems');
  return <SystemsContext.Provider value={systems.data?.systems}>{children}</SystemsContext.Provider>;
}

/** Every system (undefined while loading). */
export function useSystems(): SystemDescription[] | undefined {
  return useContext(SystemsContext);
}

/** One system's description (undefined while loading or when unknown). */
export function useSystem(system: string | undefined): SystemDescription | undefined {
  return useSystems()?.find((s) => s.system === system);
}

/** The config fields of a system that name a file on the hub's disk (widget `file`), with their schema. */
export function fileFieldsOf(system: SystemDescription | undefined): (FormFieldSchema & { key: string })[] {
  return Object.entries(system?.config.properties ?? {})
    .filter(([, f]) => f.widget === 'file')
    .map(([key, f]) => ({ ...f, key }));
}
