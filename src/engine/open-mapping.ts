import type { Connector } from '../connectors/connector.ts';
import { type ConnectorRuntime, createConnector } from '../connectors/registry.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Connection } from '../core/types.ts';
import type { Store } from '../store/store.ts';

export type ConnectorFactory = (connection: Connection, rt: ConnectorRuntime) => Connector;

/** The live source and target connectors of a mapping; `close()` releases both. */
export async function openMappingConnectors(
  store: Store,
  mapping: MappingDefinition,
  rt: ConnectorRuntime,
  make: ConnectorFactory = createConnector,
) {
  const [sourceConn, targetConn] = await Promise.all([
    store.connections.get(mapping.source.connectionId),
    store.connections.get(mapping.target.connectionId),
  ]);
  const source = make(sourceConn, rt);
  const target = make(targetConn, rt);
  return {
    source,
    target,
    close: async () => {
      await Promise.allSettled([source.close?.(), target.close?.()]);
    },
  };
}
