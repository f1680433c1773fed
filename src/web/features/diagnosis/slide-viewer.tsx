import {
  CompressOutlined, DownloadOutlined, ExpandOutlined, RotateRightOutlined, ZoomInOutlined, ZoomOutOutlined,
} from '@ant-design/icons';
import { Alert, Button, Card, Flex, Space, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { slideMaxDecodedPixels, type AttachmentDto, type DiagnosisRequestDto, type SlideAttachmentMeta } from '../../../contracts/diagnosis.js';
import { attachmentUrl, thumbnailUrl } from './diagnosis.api.js';
import {
  actualPixelsView, cssTransform, fitView, panBy, rotateClockwise, wheelFactor, zoomAt, zoomPercent, zoomStep,
  type Size, type SlideView,
} from './slide-viewer.model.js';

/** PNG/JPEG as uploaded, TIFF as the server's JPEG preview (browsers do not draw TIFF). */
const previewUrl = (id: string, attachmentId: string) => `${attachmentUrl(id, attachmentId)}/preview`;

function slideMeta(a: AttachmentDto): SlideAttachmentMeta | null {
  const meta = a.meta;
  return meta && meta.kind === 'slide' ? meta : null;
}

/** The server decodes only slides within its pixel limit (slide-image.ts); older rows without the flag: by size. */
const decodable = (meta: SlideAttachmentMeta | null) => meta !== null && meta.decodable !== false && meta.width * meta.height <= slideMaxDecodedPixels;

/** Pathology slides of a request: a gallery of thumbnails and the chosen slide in the viewer. */
export function SlidePanel({ r }: { r: Pick<DiagnosisRequestDto, 'id' | 'attachments'> }) {
  const { t } = useTranslation();
  const slides = r.attachments.filter((a) => a.kind === 'slide');
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const current = slides.find((a) => a.id === chosen) ?? slides[0];
  if (!current) return null;
  const meta = slideMeta(current);
  return (
    <Card variant="borderless" title={t('diagnosisSlides.title', { n: slides.length })} data-testid="dx-slides">
      <Flex vertical gap={12}>
        {slides.length > 1 && (
          <Flex gap={8} wrap role="listbox" aria-label={t('diagnosisSlides.gallery')}>
            {slides.map((a) => {
              const m = slideMeta(a);
              const selected = a.id === current.id;
              return (
                <button
                  type="button"
                  key={a.id}
                  role="option"
                  aria-selected={selected}
                  onClick={() => setChosen(a.id)}
                  data-testid="dx-slide-thumb"
                  title={a.fileName}
                  style={{ border: selected ? '2px solid #1677ff' : '1px solid #d9d9d9', borderRadius: 6, padding: 4, background: '#fafafa', cursor: 'pointer', width: 124 }}
                >
                  {decodable(m) ? (
                    <img src={thumbnailUrl(r.id, a.id)} alt={a.fileName} width={112} height={84} loading="lazy" style={{ objectFit: 'contain', display: 'block' }} />
                  ) : (
                    <div style={{ width: 112, height: 84, display: 'grid', placeItems: 'center', color: '#8c8c8c', fontSize: 12 }}>{t('diagnosisSlides.noThumbnail')}</div>
                  )}
                  <div style={{ fontSize: 12, textAlign: 'left', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{a.fileName}</div>
                </button>
              );
            })}
          </Flex>
        )}
        {decodable(meta) && meta ? (
          <SlideViewer key={current.id} src={previewUrl(r.id, current.id)} original={{ width: meta.width, height: meta.height }} fileName={current.fileName} downloadUrl={attachmentUrl(r.id, current.id)} />
        ) : (
          <Alert
            type="info"
            showIcon
            title={t('diagnosisSlides.notDecoded', { name: current.fileName })}
            description={
              <Flex vertical gap={4}>
                <span>{meta?.notDecodedReason ?? t('diagnosisSlides.notDecodedUnknown')}</span>
                {meta && <span>{t('diagnosisSlides.dimensions', { width: meta.width, height: meta.height })}{meta.pages ? ` · ${t('diagnosisSlides.pages', { n: meta.pages })}` : ''}</span>}
                <a href={attachmentUrl(r.id, current.id)} target="_blank" rel="noopener noreferrer"><DownloadOutlined /> {t('diagnosisSlides.download')}</a>
              </Flex>
            }
            data-testid="dx-slide-not-decoded"
          />
        )}
      </Flex>
    </Card>
  );
}

interface SlideViewerProps {
  src: string;
  /** The slide's own pixel size (from the meta); the picture loaded may be a smaller preview. */
  original: Size;
  fileName: string;
  downloadUrl: string;
  height?: number;
}

/** One slide with zoom (wheel, buttons), pan (drag), fit, 1:1 and quarter turns; the view math is slide-viewer.model.ts. */
export function SlideViewer({ src, original, fileName, downloadUrl, height = 520 }: SlideViewerProps) {
  const { t } = useTranslation();
  const frame = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; pointer: number } | null>(null);
  const [displayed, setDisplayed] = useState<Size | null>(null);
  const [view, setView] = useState<SlideView>({ scale: 1, offsetX: 0, offsetY: 0, rotation: 0 });
  const [failed, setFailed] = useState(false);
  const [dragging, setDragging] = useState(false);

  const viewport = useCallback((): Size => {
    const box = frame.current?.getBoundingClientRect();
    return { width: box?.width || 800, height: box?.height || height };
  }, [height]);
  const fit = useCallback((rotation: number) => {
    if (displayed) setView(fitView(displayed, viewport(), rotation));
  }, [displayed, viewport]);

  // React's onWheel is passive: the page would scroll as well. A native listener may prevent that.
  useEffect(() => {
    const el = frame.current;
    if (!el) return undefined;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      const at = { x: e.clientX - box.left - box.width / 2, y: e.clientY - box.top - box.height / 2 };
      setView((v) => zoomAt(v, wheelFactor(e.deltaY), at));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  const onLoad = (e: React.SyntheticEvent<HTMLImageElement>) => {
    const size = { width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight };
    setDisplayed(size);
    setView(fitView(size, viewport()));
  };
  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, pointer: e.pointerId };
    setDragging(true);
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    drag.current = { ...d, x: e.clientX, y: e.clientY };
    setView((v) => panBy(v, dx, dy));
  };
  const endDrag = () => {
    drag.current = null;
    setDragging(false);
  };
  const zoomBy = (factor: number) => setView((v) => zoomAt(v, factor, { x: 0, y: 0 }));
  const shrunk = displayed !== null && displayed.width < original.width;

  return (
    <Flex vertical gap={8} data-testid="dx-slide-viewer">
      <Flex gap={8} wrap align="center" justify="space-between">
        <Space wrap size={4}>
          <Tooltip title={t('diagnosisSlides.zoomIn')}><Button icon={<ZoomInOutlined />} aria-label={t('diagnosisSlides.zoomIn')} onClick={() => zoomBy(zoomStep)} disabled={!displayed} /></Tooltip>
          <Tooltip title={t('diagnosisSlides.zoomOut')}><Button icon={<ZoomOutOutlined />} aria-label={t('diagnosisSlides.zoomOut')} onClick={() => zoomBy(1 / zoomStep)} disabled={!displayed} /></Tooltip>
          <Button icon={<CompressOutlined />} onClick={() => fit(view.rotation)} disabled={!displayed} data-testid="dx-slide-fit">{t('diagnosisSlides.fit')}</Button>
          <Button icon={<ExpandOutlined />} onClick={() => displayed && setView((v) => actualPixelsView(v, displayed, original))} disabled={!displayed} data-testid="dx-slide-actual">{t('diagnosisSlides.actualSize')}</Button>
          <Button icon={<RotateRightOutlined />} onClick={() => setView(rotateClockwise)} disabled={!displayed}>{t('diagnosisSlides.rotate')}</Button>
          <a href={downloadUrl} target="_blank" rel="noopener noreferrer"><DownloadOutlined /> {t('diagnosisSlides.download')}</a>
        </Space>
        <Typography.Text type="secondary" data-testid="dx-slide-info">
          {t('diagnosisSlides.dimensions', { width: original.width, height: original.height })}
          {displayed && ` · ${t('diagnosisSlides.zoom', { percent: zoomPercent(view, displayed, original) })}`}
          {shrunk && displayed && ` · ${t('diagnosisSlides.previewShrunk', { width: displayed.width, height: displayed.height })}`}
        </Typography.Text>
      </Flex>
      {failed ? (
        <Alert type="warning" showIcon title={t('diagnosisSlides.loadFailed', { name: fileName })} />
      ) : (
        <div
          ref={frame}
          data-testid="dx-slide-frame"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
          onDoubleClick={() => fit(view.rotation)}
          style={{ position: 'relative', height, overflow: 'hidden', background: '#1f1f1f', borderRadius: 6, cursor: dragging ? 'grabbing' : 'grab', touchAction: 'none', userSelect: 'none' }}
        >
          <img
            src={src}
            alt={fileName}
            draggable={false}
            onLoad={onLoad}
            onError={() => setFailed(true)}
            style={{
              position: 'absolute', left: '50%', top: '50%', maxWidth: 'none', transformOrigin: 'center center',
              transform: cssTransform(view), visibility: displayed ? 'visible' : 'hidden',
              // at high zoom the pathologist wants to see pixels, not a blur
              imageRendering: view.scale * (displayed?.width ?? 0) > original.width * 2 ? 'pixelated' : 'auto',
            }}
          />
          {!displayed && <div style={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', color: '#bfbfbf' }}>{t('diagnosisSlides.loading')}</div>}
        </div>
      )}
    </Flex>
  );
}
