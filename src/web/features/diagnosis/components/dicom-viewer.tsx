import { Alert, Button, Flex, Progress, Segmented, Select, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useId, useRef, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { Types as CoreTypes } from '@cornerstonejs/core';
import {
  cornerstoneTools,
  dicomViewerLabels,
  imageSources,
  loadErrorText,
  orderInstances,
  sameSources,
  sliceLabel,
  toolBindings,
  viewerTools,
  voiRangeToWindow,
  wadouriImageId,
  windowPresets,
  windowToVoiRange,
  type DicomSource,
  type InstanceOrderInfo,
  type MouseBinding,
  type ViewerTool,
  type WindowPreset,
} from './dicom-viewer.model.js';

export type { DicomSource } from './dicom-viewer.model.js';

export interface DicomViewerProps {
  /**
   * The Part-10 files of one series: URLs (same origin, or CORS) or bytes in memory, in any mix. A list naming other
   * files reloads the viewer; an equal new array does not.
   */
  sources: readonly DicomSource[];
  /** Height of the image area. Default 480 px. */
  height?: CSSProperties['height'];
  /** Send cookies with URL requests (for the platform's own API behind a session cookie). Default true. */
  withCredentials?: boolean;
  /** Extra request headers for URL loads, e.g. an Authorization header. */
  requestHeaders?: Array<{ name: string; value: string }>;
  /** Told of each load failure (the viewer shows it too). */
  onError?: (message: string) => void;
  /** Told when the series is shown. */
  onLoaded?: () => void;
  className?: string;
}

/* ------------------------------------------------------------------------------------------------------------------
 * Cornerstone3D, loaded on first use (dynamic import: its own lazy chunks, see vite.config.ts) and initialised once
 * per page. All viewers of a page share one RenderingEngine (each WebGL context is costly and browsers cap them).
 * ---------------------------------------------------------------------------------------------------------------- */

type Cornerstone = Awaited<ReturnType<typeof importCornerstone>>;

async function importCornerstone() {
  const [core, tools, loader] = await Promise.all([
    import('@cornerstonejs/core'),
    import('@cornerstonejs/tools'),
    import('@cornerstonejs/dicom-image-loader'),
  ]);
  return { core, tools, loader };
}

/** Per URL image id: the credentials and headers of the viewer that asked for it (the loader's options are global). */
const urlRequestOptions = new Map<string, { withCredentials: boolean; headers: Record<string, string> }>();
let cornerstone: Promise<Cornerstone> | null = null;
let sharedEngine: { engine: CoreTypes.IRenderingEngine; users: number } | null = null;
const engineId = 'yilian-dicom-viewer';

function loadCornerstone(): Promise<Cornerstone> {
  cornerstone ??= importCornerstone().then((cs) => {
    // Core picks GPU (WebGL) rendering where available and falls back to CPU rendering by itself.
    cs.core.init();
    cs.loader.init({
      // Decoding runs in web workers; two are plenty for a county workstation and keep memory down.
      maxWebWorkers: Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1)),
      beforeSend: (xhr, imageId) => {
        const options = urlRequestOptions.get(imageId);
        if (!options) return undefined;
        xhr.withCredentials = options.withCredentials;
        return options.headers;
      },
    });
    cs.tools.init();
    const { StackScrollTool, WindowLevelTool, PanTool, ZoomTool, LengthTool } = cs.tools;
    for (const Tool of [StackScrollTool, WindowLevelTool, PanTool, ZoomTool, LengthTool]) cs.tools.addTool(Tool);
    return cs;
  });
  // A failed download (e.g. offline) may be retried by the next viewer.
  cornerstone.catch(() => {
    cornerstone = null;
  });
  return cornerstone;
}

function acquireEngine(cs: Cornerstone): CoreTypes.IRenderingEngine {
  sharedEngine ??= { engine: new cs.core.RenderingEngine(engineId), users: 0 };
  sharedEngine.users += 1;
  return sharedEngine.engine;
}

function releaseEngine() {
  if (!sharedEngine) return;
  sharedEngine.users -= 1;
  if (sharedEngine.users <= 0) {
    sharedEngine.engine.destroy();
    sharedEngine = null;
  }
}

interface Loaded {
  cs: Cornerstone;
  viewport: CoreTypes.IStackViewport;
  toolGroupId: string;
}

/**
 * A DICOM viewer over Cornerstone3D (MIT; loaded on demand so it stays out of the main bundle): a stack viewport over
 * the instances of one series; the mouse wheel scrolls through slices, the right button zooms, the middle button pans,
 * the left button does window/level by default or the chosen tool (scroll, pan, zoom, length measurement); window
 * presets from the file and, for CT, the standard windows; reset. Load failures are shown in the viewer.
 */
export function DicomViewer({
  sources,
  height = 480,
  withCredentials = true,
  requestHeaders,
  onError,
  onLoaded,
  className,
}: DicomViewerProps) {
  const { i18n } = useTranslation();
  const text = dicomViewerLabels(i18n.language);
  const viewportId = `dicom-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const elementRef = useRef<HTMLDivElement | null>(null);
  const loadedRef = useRef<Loaded | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [sliceCount, setSliceCount] = useState(0);
  const [sliceIndex, setSliceIndex] = useState<number | null>(null);
  const [tool, setTool] = useState<ViewerTool>('windowLevel');
  const [presets, setPresets] = useState<WindowPreset[]>([]);
  const [preset, setPreset] = useState<string | undefined>(undefined);
  const [windowLevel, setWindowLevel] = useState<{ center: number; width: number } | null>(null);
  // Reload only when the files or headers really change, not when the parent passes a new but equal array.
  const sourcesRef = useRef(sources);
  if (!sameSources(sourcesRef.current, sources)) sourcesRef.current = sources;
  const stableSources = sourcesRef.current;
  const headersKey = JSON.stringify(requestHeaders ?? null);
  const callbacks = useRef({ onError, onLoaded, text });
  callbacks.current = { onError, onLoaded, text };
  const toolRef = useRef(tool);
  toolRef.current = tool;

  const applyTool = useCallback((next: ViewerTool) => {
    setTool(next);
    const loaded = loadedRef.current;
    if (!loaded) return;
    const group = loaded.cs.tools.ToolGroupManager.getToolGroup(loaded.toolGroupId);
    if (group) bindTools(loaded.cs, group, next);
  }, []);

  useEffect(() => {
    const items = imageSources(stableSources);
    const headers = JSON.parse(headersKey) as DicomViewerProps['requestHeaders'] | null;
    setError(null);
    setWarning(null);
    setReady(false);
    setPresets([]);
    setPreset(undefined);
    setWindowLevel(null);
    setSliceIndex(null);
    setSliceCount(0);
    const element = elementRef.current;
    if (items.length === 0 || !element) return;
    let cancelled = false;
    const cleanups: Array<() => void> = [];
    const fail = (message: string) => {
      if (cancelled) return;
      setError(message);
      setProgress(null);
      callbacks.current.onError?.(message);
    };
    const failText = (e: unknown) => {
      const detail = loadErrorText(e);
      return detail ? `${callbacks.current.text.loadFailed}：${detail}` : callbacks.current.text.loadFailed;
    };
    setProgress(0);

    void loadCornerstone()
      .then(async (cs) => {
        if (cancelled) return;
        const { core, tools, loader } = cs;
        // Image ids: `dicomfile:<n>` from the loader's file manager for bytes, `wadouri:<absolute URL>` for URLs.
        const imageIds = items.map((item) => {
          if (item.kind === 'file') {
            const id = loader.wadouri.fileManager.add(new Blob([item.data], { type: 'application/dicom' }));
            cleanups.push(() => {
              loader.wadouri.fileManager.remove(Number(id.slice('dicomfile:'.length)));
              core.cache.removeImageLoadObject(id, { force: true });
            });
            return id;
          }
          const id = wadouriImageId(item.url, window.location.href);
          urlRequestOptions.set(id, {
            withCredentials,
            headers: Object.fromEntries((headers ?? []).map((h) => [h.name, h.value])),
          });
          return id;
        });

        const engine = acquireEngine(cs);
        cleanups.push(releaseEngine);
        engine.enableElement({
          viewportId,
          type: core.Enums.ViewportType.STACK,
          element,
          defaultOptions: { background: [0, 0, 0] as CoreTypes.Point3 },
        });
        cleanups.push(() => {
          if (sharedEngine?.engine === engine) engine.disableElement(viewportId);
        });
        const viewport = engine.getViewport<CoreTypes.IStackViewport>(viewportId);
        const toolGroupId = `${viewportId}-tools`;
        const group = tools.ToolGroupManager.createToolGroup(toolGroupId);
        if (!group) throw new Error(`tool group ${toolGroupId} exists`);
        cleanups.push(() => tools.ToolGroupManager.destroyToolGroup(toolGroupId));
        for (const name of cornerstoneTools) group.addTool(name);
        group.addViewport(viewportId, engineId);
        // Measurements live in a page-wide annotation store: drop ours when the viewer goes.
        cleanups.push(() => {
          const mine = new Set(imageIds);
          for (const a of tools.annotation.state.getAllAnnotations()) {
            if (a.annotationUID && a.metadata?.referencedImageId && mine.has(a.metadata.referencedImageId)) {
              tools.annotation.state.removeAnnotation(a.annotationUID);
            }
          }
        });

        const onNewImage = (e: Event) => {
          const detail = (e as CustomEvent<{ imageIdIndex?: number }>).detail;
          if (typeof detail?.imageIdIndex === 'number') setSliceIndex(detail.imageIdIndex);
        };
        const onVoi = (e: Event) => {
          const range = (e as CustomEvent<{ range?: { lower: number; upper: number } }>).detail?.range;
          if (range) setWindowLevel(voiRangeToWindow(range));
        };
        element.addEventListener(core.Enums.Events.STACK_NEW_IMAGE, onNewImage);
        element.addEventListener(core.Enums.Events.VOI_MODIFIED, onVoi);
        cleanups.push(() => {
          element.removeEventListener(core.Enums.Events.STACK_NEW_IMAGE, onNewImage);
          element.removeEventListener(core.Enums.Events.VOI_MODIFIED, onVoi);
        });
        const resizeObserver = new ResizeObserver(() => {
          if (!cancelled) engine.resize(true, true);
        });
        resizeObserver.observe(element);
        cleanups.push(() => resizeObserver.disconnect());

        // Load (and decode) every instance first: this gives progress, per-file errors, and the metadata to order by.
        let done = 0;
        const results = await Promise.allSettled(
          imageIds.map((id) =>
            core.imageLoader.loadAndCacheImage(id).then((image) => {
              done += 1;
              if (!cancelled) setProgress(Math.round((done / imageIds.length) * 100));
              return image;
            }),
          ),
        );
        if (cancelled) return;
        const okIds = imageIds.filter((_, i) => results[i]?.status === 'fulfilled');
        const firstFailure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (okIds.length === 0) {
          fail(failText(firstFailure?.reason));
          return;
        }
        if (firstFailure) {
          const message = `${callbacks.current.text.partlyFailed(imageIds.length - okIds.length, imageIds.length)}（${loadErrorText(firstFailure.reason) ?? ''}）`.replace(/（）$/, '');
          setWarning(message);
          callbacks.current.onError?.(message);
        }
        const ordered = orderInstances(
          okIds.map((imageId): InstanceOrderInfo => {
            const plane = core.metaData.get('imagePlaneModule', imageId) as { imagePositionPatient?: number[]; imageOrientationPatient?: number[] } | undefined;
            const general = core.metaData.get('generalImageModule', imageId) as { instanceNumber?: number } | undefined;
            return {
              imageId,
              instanceNumber: general?.instanceNumber,
              imagePositionPatient: plane?.imagePositionPatient,
              imageOrientationPatient: plane?.imageOrientationPatient,
            };
          }),
        );
        const first = ordered[0] as string;
        await viewport.setStack(ordered, 0);
        if (cancelled) return;
        loadedRef.current = { cs, viewport, toolGroupId };
        bindTools(cs, group, toolRef.current);
        viewport.render();
        const series = core.metaData.get('generalSeriesModule', first) as { modality?: string } | undefined;
        const pixel = core.metaData.get('imagePixelModule', first) as { samplesPerPixel?: number } | undefined;
        const voi = core.metaData.get('voiLutModule', first) as Parameters<typeof windowPresets>[0];
        const monochrome = (pixel?.samplesPerPixel ?? 1) === 1;
        setPresets(monochrome ? windowPresets(voi, series?.modality, callbacks.current.text) : []);
        const range = viewport.getProperties().voiRange;
        if (range) setWindowLevel(voiRangeToWindow(range));
        setSliceCount(ordered.length);
        setSliceIndex(viewport.getCurrentImageIdIndex());
        setProgress(null);
        setReady(true);
        callbacks.current.onLoaded?.();
      })
      .catch((e: unknown) => {
        // The details (stack) for developers; the reader gets the message in the viewer.
        console.error('DicomViewer:', e);
        fail(failText(e));
      });

    return () => {
      cancelled = true;
      loadedRef.current = null;
      for (const cleanup of cleanups.reverse()) {
        try {
          cleanup();
        } catch {
          // Tearing down a half-built viewer: nothing more to free.
        }
      }
    };
    // The language only changes messages; reloading for it would lose the reader's measurements.
  }, [stableSources, viewportId, withCredentials, headersKey]);

  const reset = () => {
    const loaded = loadedRef.current;
    if (!loaded) return;
    const { viewport } = loaded;
    viewport.resetCamera();
    viewport.resetProperties();
    viewport.render();
    const range = viewport.getProperties().voiRange;
    if (range) setWindowLevel(voiRangeToWindow(range));
    setPreset(undefined);
  };

  const choosePreset = (key: string) => {
    const loaded = loadedRef.current;
    const chosen = presets.find((p) => p.key === key);
    if (!loaded || !chosen) return;
    loaded.viewport.setProperties({ voiRange: windowToVoiRange(chosen.center, chosen.width) });
    loaded.viewport.render();
    setWindowLevel({ center: chosen.center, width: chosen.width });
    setPreset(key);
  };

  const sliceText = sliceLabel(sliceIndex, sliceCount);
  return (
    <Flex vertical gap={8} className={className} data-testid="dicom-viewer">
      <Flex wrap gap={8} align="center">
        <Segmented<ViewerTool>
          value={tool}
          onChange={applyTool}
          disabled={!ready}
          options={viewerTools.map((t) => ({
            value: t,
            disabled: t === 'scroll' && sliceCount <= 1,
            label: <Tooltip title={text.hints[t]}>{text.tools[t]}</Tooltip>,
          }))}
        />
        {presets.length > 0 && (
          <Select
            size="middle"
            style={{ minWidth: 140 }}
            value={preset}
            placeholder={text.preset}
            onChange={choosePreset}
            options={presets.map((p) => ({ value: p.key, label: `${p.label}（${p.center}/${p.width}）` }))}
            aria-label={text.preset}
          />
        )}
        <Button onClick={reset} disabled={!ready}>
          {text.reset}
        </Button>
        {sliceText && (
          <Typography.Text type="secondary" data-testid="dicom-slice">
            {text.slice} {sliceText}
          </Typography.Text>
        )}
        {windowLevel && (
          <Typography.Text type="secondary" data-testid="dicom-window">
            {text.window(windowLevel.center, windowLevel.width)}
          </Typography.Text>
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error} />}
      {warning && !error && <Alert type="warning" showIcon title={warning} />}
      {sources.length === 0 && <Alert type="info" title={text.empty} />}
      <div style={{ position: 'relative', height, background: '#000', overflow: 'hidden' }}>
        {/* Cornerstone's element: it adds its own canvas and SVG layer; the context menu is the zoom button's. */}
        <div
          ref={elementRef}
          style={{ width: '100%', height: '100%' }}
          onContextMenu={(e) => e.preventDefault()}
          data-testid="dicom-viewport"
        />
        {progress !== null && !error && (
          <Flex vertical align="center" justify="center" style={{ position: 'absolute', inset: 0, color: '#fff', pointerEvents: 'none' }}>
            <Progress type="circle" percent={progress} size={64} />
            <span style={{ marginTop: 8 }}>{text.loading}</span>
          </Flex>
        )}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {text.mouseHelp} · {text.disclaimer}
      </Typography.Text>
    </Flex>
  );
}

/** Applies toolBindings(primary) to a tool group: exactly the model's bindings, nothing left over from before. */
function bindTools(cs: Cornerstone, group: NonNullable<ReturnType<Cornerstone['tools']['ToolGroupManager']['getToolGroup']>>, primary: ViewerTool) {
  const { MouseBindings } = cs.tools.Enums;
  const button: Record<MouseBinding, number> = {
    primary: MouseBindings.Primary,
    secondary: MouseBindings.Secondary,
    auxiliary: MouseBindings.Auxiliary,
    wheel: MouseBindings.Wheel,
  };
  const plan = toolBindings(primary);
  for (const [name, bindings] of Object.entries(plan)) {
    group.setToolPassive(name, { removeAllBindings: true });
    if (bindings.length > 0) group.setToolActive(name, { bindings: bindings.map((b) => ({ mouseButton: button[b] })) });
  }
}
