import { useId, useState } from 'react';
import { UploadInput } from '../components/file-upload.tsx';
import { useI18n } from '../i18n/index.tsx';
import type { ObjectDescription } from '../types.ts';

/** What `POST /api/files` answers: where the file now lies (for the connection to name) and its columns. */
export interface UploadedFile {
  path: string;
  field: string;
  fileName: string;
  bytes: number;
  objects: ObjectDescription[];
}

/** The columns of the first object a file was described with ("Kundennummer, Vorname, …"). */
export const columnsOf = (objects: ObjectDescription[]) =>
  (objects[0]?.fields ?? []).map((f) => f.name).join(', ');

/**
 * The `file` widget of a generated connection form: the path of a file in the files folder (JUNCTION_FILES_DIR,
 * relative to it; an operator may name a file already there) and an upload that puts a file into Junction's
 * uploads folder and fills its path in, after the server opened it the way the connector will.
 */
export function ConnectionFileInput({
  system,
  field,
  value,
  onChange,
  required,
  placeholder,
  accept,
  input,
}: {
  system: string;
  field: string;
  value: string;
  onChange: (path: string) => void;
  required: boolean;
  placeholder?: string | undefined;
  accept?: string | undefined;
  input: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean };
}) {
  const { t } = useI18n();
  const [uploaded, setUploaded] = useState<UploadedFile | null>(null);
  const uploadId = useId();
  return (
    <div className="file-widget">
      <input
        {...input}
        name={`config.${field}`}
        type="text"
        required={required}
        placeholder={placeholder}
        value={value}
        onChange={(e) => {
          setUploaded(null);
          onChange(e.target.value);
        }}
      />
      <label className="upload-label" htmlFor={uploadId}>
        {t('upload.choose')}
      </label>
      <UploadInput<UploadedFile>
        id={uploadId}
        name={`upload.${field}`}
        url={`/api/files?system=${encodeURIComponent(system)}&field=${encodeURIComponent(field)}`}
        accept={accept}
        onUploaded={(answer) => {
          setUploaded(answer);
          onChange(answer.path);
        }}
      />

      {uploaded ? (
        <p className="upload-result" role="status" data-testid="file-uploaded">
          {t('upload.done', {
            name: uploaded.fileName,
            size: `${Math.max(1, Math.round(uploaded.bytes / 1024))} KB`,
            columns: columnsOf(uploaded.objects),
          })}
        </p>
      ) : null}
    </div>
  );
}
