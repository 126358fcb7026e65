import { type ReactNode, useId, useState } from 'react';
import { useAuth } from '../auth.tsx';
import { UploadInput } from '../components/file-upload.tsx';
import { useI18n } from '../i18n/index.tsx';
import { fileFieldsOf, useSystem } from '../systems.tsx';
import type { ConnectionRow, ObjectDescription } from '../types.ts';
import { columnsOf } from './connection-file.tsx';

/**
 * Objects and fields read from a sample file, for a source connection that reads files (a spreadsheet
 * connection for imports has no file of its own, so describing it offers nothing): the user uploads a
 * sample, the server reads it with the connection's settings through the connector's `describe()` and
 * keeps nothing. `objects` replaces the connection's own description while a sample is loaded; `picker`
 * is the upload to show under the source. Both are empty for connections that name no file.
 */
export function useSampleColumns(connection: ConnectionRow | undefined): {
  objects: ObjectDescription[] | null;
  picker: ReactNode;
} {
  const { t } = useI18n();
  const { isAdmin } = useAuth();
  const system = useSystem(connection?.system);
  const inputId = useId();
  const [sample, setSample] = useState<{
    connectionId: string;
    fileName: string;
    objects: ObjectDescription[];
  } | null>(null);
  if (!connection || !isAdmin || fileFieldsOf(system).length === 0) return { objects: null, picker: null };
  // A sample belongs to the connection it was read for; choosing another connection drops it.
  const current = sample?.connectionId === connection.id ? sample : null;
  return {
    objects: current?.objects ?? null,
    picker: (
      <div className="sample-columns" data-testid="sample-columns">
        <label className="upload-label" htmlFor={inputId}>
          {t('sample.choose')}
        </label>
        <UploadInput<{ fileName: string; objects: ObjectDescription[] }>
          id={inputId}
          name="sample"
          url={`/api/files/sample?connectionId=${encodeURIComponent(connection.id)}`}
          accept={fileFieldsOf(system)[0]?.accept}
          onUploaded={(answer) => setSample({ connectionId: connection.id, ...answer })}
        />

        <p className="hint" role="status">
          {current
            ? t('sample.read', { name: current.fileName, columns: columnsOf(current.objects) })
            : t('sample.hint')}
        </p>
      </div>
    ),
  };
}
