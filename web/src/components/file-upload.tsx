import { useRef, useState } from 'react';
import { type ApiError, apiUpload } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorNote } from './ui.tsx';

/**
 * A file input that uploads the chosen file at once (multipart part `file`) to `url` and hands the
 * server's answer to `onUploaded`; shows "uploading" and the server's refusal (too large, not a
 * spreadsheet, …). Used for connection files and mapping samples.
 */
export function UploadInput<T>({
  url,
  onUploaded,
  accept,
  name,
  id,
  describedBy,
}: {
  url: string;
  onUploaded: (answer: T, file: File) => void;
  accept?: string;
  name: string;
  id?: string;
  describedBy?: string | undefined;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    setBusy(true);
    setError(null);
    try {
      onUploaded(await apiUpload<T>(url, form), file);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
      // The same file chosen again (after fixing it) uploads again.
      if (input.current) input.current.value = '';
    }
  };
  return (
    <div className="upload-input" data-busy={busy}>
      <input
        ref={input}
        id={id}
        type="file"
        name={name}
        accept={accept}
        aria-describedby={describedBy}
        disabled={busy}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void upload(file);
        }}
      />
      {busy ? <span className="muted"> {t('upload.busy')}</span> : null}
      {error ? <ErrorNote error={error} /> : null}
    </div>
  );
}
