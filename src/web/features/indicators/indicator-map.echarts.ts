/**
 * ECharts for the county map: the shared parts (src/web/lib/echarts.ts) plus a scatter series and a continuous
 * visual map. Loaded only through `import('./indicator-map.echarts.js')`, so neither reaches the first download.
 */
import { ScatterChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([ScatterChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export { init };
