import type { TurnaroundStatisticsDto } from '../../../../contracts/diagnosis-statistics.js';
// The lazy exceljs loader and workbook writer of the indicator dashboard, shared rather than copied.
import { downloadWorkbook } from '../../indicators/indicators.export.js';
import { statisticsSheets, type StatisticsExportLabels } from './turnaround-statistics.model.js';

/** Downloads the statistics as .xlsx (exceljs is loaded only now). */
export function exportTurnaroundStatistics(s: TurnaroundStatisticsDto, labels: StatisticsExportLabels): Promise<void> {
  return downloadWorkbook(statisticsSheets(s, labels), `远程诊断统计_${s.from}_${s.to}.xlsx`);
}
