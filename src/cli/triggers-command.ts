import { confinedFactory } from '../connectors/registry.ts';
import { UsageError, ValidationError } from '../core/errors.ts';
import type { Runtime } from './runtime.ts';

const USAGE = 'usage: junction triggers install|remove <connection> <table>';

/**
 * `junction triggers install|remove <connection> <table>`: puts (or takes away) the statement trigger
 * that makes a PostgreSQL business table notify Junction of changes, so a task scheduled `onChange`
 * runs within seconds of a commit instead of at its next poll. Junction never alters a customer's
 * database by itself: this is the one command that does, and only when asked.
 */
export async function triggersCommand(rt: Runtime, positionals: string[]): Promise<number> {
  const [action, connectionId, table] = positionals;
  if ((action !== 'install' && action !== 'remove') || !connectionId || !table) throw new UsageError(USAGE);
  const connector = confinedFactory(rt.files)(await rt.store.connections.get(connectionId), {
    log: rt.log,
    signal: new AbortController().signal,
  });
  try {
    const act =
      action === 'install' ? connector.installChangeNotifications : connector.removeChangeNotifications;
    if (!act)
      throw new ValidationError(
        `connection '${connectionId}' (${connector.system}) cannot notify changes; change-driven tasks reading from it are polled or woken by webhooks`,
      );
    await act.call(connector, table);
  } finally {
    await connector.close?.();
  }
  console.log(
    action === 'install'
      ? `'${table}' of connection '${connectionId}' now notifies Junction of changes (trigger junction_changes_${table.slice(table.lastIndexOf('.') + 1)})`
      : `'${table}' of connection '${connectionId}' no longer notifies Junction`,
  );
  return 0;
}
