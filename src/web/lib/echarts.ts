/**
 * The parts of ECharts the UI draws with. Imported only through `import('./echarts.js')` so that ECharts stays out
 * of the first download, and imported by name here so that the bundler leaves the other chart types out.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export { init };
