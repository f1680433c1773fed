import { FileImageOutlined, FilePdfOutlined, HeartOutlined } from '@ant-design/icons';
import { Alert, Card, Descriptions, Empty, Flex, Segmented, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentDto, DiagnosisRequestDto } from '../../../contracts/diagnosis.js';
import { Loading } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { EcgTrace } from './components/ecg-trace.js';
import type { EcgLeadName } from './components/ecg-trace.model.js';
import { attachmentUrl, thumbnailUrl, useEcg, useImaging } from './diagnosis.api.js';
import { attachmentMeta, describeMeta, formatBytes, leadsNamedIn } from './diagnosis.model.js';

/** Cornerstone3D is a large chunk: loaded only when a request with images is opened. */
const DicomViewer = lazy(async () => ({ default: (await import('./components/dicom-viewer.js')).DicomViewer }));

const ecgLeadNames: readonly EcgLeadName[] = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

/** The ECG of a request drawn on paper, with the server's heart rate and rhythm; several tracings → a switch. */
export function EcgPanel({ r }: { r: DiagnosisRequestDto }) {
  const { t } = useTranslation();
  const ecgs = r.attachments.filter((a) => a.kind === 'ecg');
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const attachmentId = ecgs.find((a) => a.id === chosen)?.id ?? ecgs.at(-1)?.id;
  const ecg = useEcg(r.id, attachmentId);
  const highlight = useMemo(
    () => leadsNamedIn(r.criticalValues.map((c) => c.finding).join(' ')).filter((l): l is EcgLeadName => (ecgLeadNames as readonly string[]).includes(l)),
    [r.criticalValues],
  );
  if (ecgs.length === 0) return null;
  const leads: Partial<Record<EcgLeadName, number[]>> = {};
  for (const l of ecgLeadNames) {
    const s = ecg.data?.leads[l];
    if (s) leads[l] = s;
  }
  return (
    <Card
      variant="borderless"
      title={
        <span>
          <HeartOutlined /> {t('diagnosis.ecg.title')}
        </span>
      }
      extra={
        ecgs.length > 1 && (
          <Segmented value={attachmentId} onChange={(v) => setChosen(String(v))} options={ecgs.map((a) => ({ value: a.id, label: a.fileName }))} />
        )
      }
      data-testid="dx-ecg"
    >
      {ecg.isError ? (
        <Alert type="warning" showIcon title={t('diagnosis.ecg.loadFailed')} description={errorText(ecg.error, t)} />
      ) : ecg.isPending ? (
        <Loading height={200} />
      ) : (
        <Flex vertical gap={8}>
          <Descriptions size="small" column={{ xs: 1, md: 4 }}>
            <Descriptions.Item label={t('diagnosis.ecg.heartRate')}>
              <span data-testid="dx-ecg-hr" className="strong">
                {ecg.data.analysis.heartRateBpm !== undefined ? `${Math.round(ecg.data.analysis.heartRateBpm)} bpm` : '—'}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('diagnosis.ecg.rhythm')}>
              <span data-testid="dx-ecg-rhythm">{ecg.data.analysis.rhythm ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('diagnosis.ecg.sampling')}>{ecg.data.samplingRateHz} Hz</Descriptions.Item>
            <Descriptions.Item label={t('diagnosis.ecg.duration')}>{Math.round(ecg.data.durationS * 10) / 10} s</Descriptions.Item>
          </Descriptions>
          <div className="ecg-scroll" data-testid="dx-ecg-trace">
            <EcgTrace samplingRateHz={ecg.data.samplingRateHz} leads={leads} highlightLeads={highlight} caption={`${r.patient.name} · ${r.examType} · ${r.number}`} />
          </div>
        </Flex>
      )}
    </Card>
  );
}

/** Imaging: thumbnails per series (from the server), the chosen series in the DICOM viewer. */
export function ImagingPanel({ r }: { r: DiagnosisRequestDto }) {
  const { t } = useTranslation();
  const hasDicom = r.attachments.some((a) => a.kind === 'dicom');
  const imaging = useImaging(r.id, hasDicom);
  const series = useMemo(() => (imaging.data?.studies ?? []).flatMap((s) => s.series.map((se) => ({ ...se, study: s }))), [imaging.data]);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const current = series.find((s) => s.seriesInstanceUid === chosen) ?? series[0];
  const sources = useMemo(() => (current ? current.instances.map((i) => i.url) : []), [current]);
  if (!hasDicom) return null;
  return (
    <Card variant="borderless" title={t('diagnosis.imaging.title')} data-testid="dx-imaging">
      {imaging.isError ? (
        <Alert type="warning" showIcon title={t('diagnosis.imaging.loadFailed')} description={errorText(imaging.error, t)} />
      ) : imaging.isPending ? (
        <Loading height={200} />
      ) : series.length === 0 ? (
        <Empty description={t('diagnosis.imaging.none')} />
      ) : (
        <Flex vertical gap={12}>
          <Flex gap={8} wrap>
            {series.map((s) => {
              const first = s.instances[0];
              const selected = s.seriesInstanceUid === current?.seriesInstanceUid;
              return (
                <button
                  type="button"
                  key={s.seriesInstanceUid}
                  className={selected ? 'dx-series dx-series-selected' : 'dx-series'}
                  onClick={() => setChosen(s.seriesInstanceUid)}
                  data-testid="dx-series"
                  aria-pressed={selected}
                  style={{ border: selected ? '2px solid #1677ff' : '1px solid #d9d9d9', borderRadius: 6, padding: 4, background: '#000', cursor: 'pointer', width: 112 }}
                >
                  {first && <img src={thumbnailUrl(r.id, first.attachmentId)} alt={s.description ?? s.modality} width={100} height={100} style={{ objectFit: 'contain', display: 'block' }} />}
                  <div style={{ color: '#fff', fontSize: 12, textAlign: 'left' }}>
                    {s.modality} {s.seriesNumber !== undefined ? `#${s.seriesNumber}` : ''} · {t('diagnosis.imaging.images', { n: s.instances.length })}
                    <div style={{ opacity: 0.8, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{s.description ?? s.study.description ?? ''}</div>
                  </div>
                </button>
              );
            })}
          </Flex>
          {current && (
            <Suspense fallback={<Loading height={480} />}>
              <DicomViewer sources={sources} height={520} />
            </Suspense>
          )}
        </Flex>
      )}
    </Card>
  );
}

/** Images and PDFs shown in the page (a scanned request form, a photo of a paper ECG, an outside report). */
export function DocumentsPanel({ r }: { r: DiagnosisRequestDto }) {
  const { t } = useTranslation();
  const docs = r.attachments.filter((a) => a.kind === 'image' || a.kind === 'pdf');
  if (docs.length === 0) return null;
  return (
    <Card variant="borderless" title={t('diagnosis.documents')} data-testid="dx-documents">
      <Flex vertical gap={12}>
        {docs.map((a) =>
          a.kind === 'image' ? (
            <figure key={a.id} style={{ margin: 0 }}>
              <img src={attachmentUrl(r.id, a.id)} alt={a.fileName} style={{ maxWidth: '100%', maxHeight: 600, border: '1px solid #f0f0f0' }} />
              <figcaption className="cell-sub">
                <FileImageOutlined /> {a.fileName}
              </figcaption>
            </figure>
          ) : (
            <div key={a.id}>
              <iframe title={a.fileName} src={attachmentUrl(r.id, a.id)} style={{ width: '100%', height: 600, border: '1px solid #f0f0f0' }} />
              <div className="cell-sub">
                <FilePdfOutlined /> {a.fileName}
              </div>
            </div>
          ),
        )}
      </Flex>
    </Card>
  );
}

/** Every file of the request with what the server read from it. */
export function AttachmentTable({ r, extra }: { r: DiagnosisRequestDto; extra?: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <Card variant="borderless" title={t('diagnosis.attachments', { count: r.attachments.length })} data-testid="dx-attachments">
      <Table<AttachmentDto>
        rowKey="id"
        size="small"
        dataSource={r.attachments}
        pagination={r.attachments.length > 20 ? { pageSize: 20 } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('diagnosis.noAttachments')} /> }}
        columns={[
          { title: t('diagnosis.file'), key: 'name', render: (_, a) => <a href={attachmentUrl(r.id, a.id)} target="_blank" rel="noopener noreferrer" className="mono">{a.fileName}</a> },
          { title: t('diagnosis.fileKind'), key: 'kind', width: 110, render: (_, a) => <Tag>{t(`diagnosisAttachmentKind.${a.kind}`)}</Tag> },
          { title: t('diagnosis.fileMeta'), key: 'meta', render: (_, a) => <Typography.Text type="secondary" data-testid="dx-attachment-meta">{describeMeta(attachmentMeta(a), t)}</Typography.Text> },
          { title: t('diagnosis.fileSize'), key: 'size', width: 90, render: (_, a) => formatBytes(a.sizeBytes) },
          { title: t('diagnosis.uploadedAt'), key: 'at', width: 170, render: (_, a) => <span className="cell-sub">{formatDateTime(a.uploadedAt)} · {a.uploadedByName}</span> },
        ]}
      />
      {extra}
    </Card>
  );
}
