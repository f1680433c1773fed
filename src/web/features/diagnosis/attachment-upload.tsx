import { CheckCircleFilled, CloseCircleFilled, DeleteOutlined, InboxOutlined, LoadingOutlined } from '@ant-design/icons';
import { Button, Flex, Progress, Tag, Typography, Upload } from 'antd';
import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentDto, AttachmentKind, CenterType } from '../../../contracts/diagnosis.js';
import { errorText } from '../../lib/errors.js';
import { uploadAttachment } from './diagnosis.api.js';
import { attachmentKindOf, attachmentKindsFor, attachmentMeta, batchProgress, describeMeta, formatBytes, uploadContentType } from './diagnosis.model.js';

/** A file chosen for upload and where it stands. */
export interface QueuedFile {
  uid: string;
  file: File;
  kind: AttachmentKind | null;
  state: 'waiting' | 'uploading' | 'done' | 'failed';
  loaded: number;
  error?: string;
  result?: AttachmentDto;
}

let seq = 0;

/**
 * The upload queue of one request: files are chosen first (kind guessed from the name for the center's type), then
 * sent one after another — a series of hundreds of DICOM files would otherwise open hundreds of connections — with
 * progress per file and overall. A failed file stays in the list with the server's reason and can be sent again.
 */
export function useUploadQueue(centerType: CenterType | undefined) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<QueuedFile[]>([]);
  const [running, setRunning] = useState(false);
  const filesRef = useRef<QueuedFile[]>([]);
  filesRef.current = files;

  const update = (uid: string, patch: Partial<QueuedFile>) => setFiles((prev) => prev.map((f) => (f.uid === uid ? { ...f, ...patch } : f)));

  const add = useCallback(
    (chosen: File[]) => {
      setFiles((prev) => [
        ...prev,
        ...chosen.map((file) => ({ uid: `f${++seq}`, file, kind: centerType ? attachmentKindOf(file.name, file.type, centerType) : null, state: 'waiting' as const, loaded: 0 })),
      ]);
    },
    [centerType],
  );
  const remove = (uid: string) => setFiles((prev) => prev.filter((f) => f.uid !== uid));
  const clear = () => setFiles([]);

  /** Sends every waiting or failed file of an accepted kind; resolves with how many failed. */
  const send = async (requestId: string): Promise<{ failed: number; done: number }> => {
    setRunning(true);
    let failed = 0;
    let done = 0;
    try {
      for (const f of filesRef.current) {
        if (f.state === 'done' || !f.kind) continue;
        update(f.uid, { state: 'uploading', loaded: 0, error: undefined });
        try {
          const result = await uploadAttachment(requestId, f.file, {
            kind: f.kind,
            fileName: f.file.name,
            contentType: uploadContentType(f.kind, f.file.name, f.file.type),
            onProgress: (loaded) => update(f.uid, { loaded }),
          });
          update(f.uid, { state: 'done', loaded: f.file.size, result });
          done++;
        } catch (e) {
          update(f.uid, { state: 'failed', error: errorText(e, t) });
          failed++;
        }
      }
    } finally {
      setRunning(false);
    }
    return { failed, done };
  };

  const sendable = files.filter((f) => f.kind && f.state !== 'done').length;
  const rejected = files.filter((f) => !f.kind).length;
  return { files, add, remove, clear, send, running, sendable, rejected };
}

export type UploadQueue = ReturnType<typeof useUploadQueue>;

/** The drop zone and the list of chosen files (kind, size, progress, the server's parsed header or its refusal). */
export function UploadQueueView({ queue, centerType, disabled }: { queue: UploadQueue; centerType: CenterType | undefined; disabled?: boolean }) {
  const { t } = useTranslation();
  const kinds = centerType ? attachmentKindsFor(centerType) : [];
  const active = queue.files.filter((f) => f.kind);
  const overall = batchProgress(active.map((f) => ({ size: f.file.size, loaded: f.state === 'done' ? f.file.size : f.loaded })));
  return (
    <Flex vertical gap={8} data-testid="dx-upload">
      <Upload.Dragger
        multiple
        disabled={disabled || !centerType}
        showUploadList={false}
        beforeUpload={(_file, list) => {
          // Called once per file with the whole selection: take the selection once, on its first file.
          if (list[0] === _file) queue.add(list as unknown as File[]);
          return false;
        }}
        data-testid="dx-file-drop"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{centerType ? t('diagnosis.upload.drop') : t('diagnosis.upload.chooseCenterFirst')}</p>
        <p className="ant-upload-hint">{kinds.map((k) => t(`diagnosisAttachmentKind.${k}`)).join(' · ')}</p>
      </Upload.Dragger>
      {queue.files.length > 0 && (
        <>
          {queue.running && <Progress percent={overall} size="small" data-testid="dx-upload-progress" />}
          <ul className="plain-list" data-testid="dx-upload-list">
            {queue.files.map((f) => (
              <li key={f.uid} data-testid="dx-upload-item" data-state={f.state}>
                <Flex gap={8} align="center" wrap>
                  {f.state === 'done' ? (
                    <CheckCircleFilled style={{ color: '#52c41a' }} />
                  ) : f.state === 'failed' || !f.kind ? (
                    <CloseCircleFilled style={{ color: '#f5222d' }} />
                  ) : f.state === 'uploading' ? (
                    <LoadingOutlined />
                  ) : null}
                  <span className="mono">{f.file.name}</span>
                  <span className="cell-sub">{formatBytes(f.file.size)}</span>
                  {f.kind ? <Tag>{t(`diagnosisAttachmentKind.${f.kind}`)}</Tag> : <Tag color="red">{t('diagnosis.upload.notAccepted')}</Tag>}
                  {f.state === 'uploading' && <Progress percent={f.file.size ? Math.floor((f.loaded / f.file.size) * 100) : 0} size="small" style={{ width: 120, margin: 0 }} />}
                  {f.result && <Typography.Text type="secondary" data-testid="dx-upload-meta">{describeMeta(attachmentMeta(f.result), t)}</Typography.Text>}
                  {f.error && <Typography.Text type="danger">{f.error}</Typography.Text>}
                  {f.state !== 'uploading' && f.state !== 'done' && !queue.running && (
                    <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={() => queue.remove(f.uid)} aria-label={t('diagnosis.upload.remove')} />
                  )}
                </Flex>
              </li>
            ))}
          </ul>
        </>
      )}
    </Flex>
  );
}
