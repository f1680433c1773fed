import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditEventDto, AuditQuery } from '../../../contracts/audit.js';
import { download, get } from '../../api/client.js';
import type { Page } from '../../lib/page.js';

/** Audit log search and export (system-admin, commission-officer, alliance-admin). */

export type AuditFilter = Partial<Omit<AuditQuery, 'page' | 'pageSize'>> & { page: number; pageSize: number };
export type AuditExportFormat = 'csv' | 'xlsx';

export const auditKeys = {
  list: (f: AuditFilter) => ['audit', 'list', f] as const,
};

export const fetchAuditEvents = (f: AuditFilter) => get<Page<AuditEventDto>>('/api/v1/audit', { ...f });

/** Downloads the filtered log (without paging); resolves with the file name. */
export function exportAuditEvents(f: AuditFilter, format: AuditExportFormat): Promise<string> {
  const { page: _page, pageSize: _pageSize, ...filters } = f;
  return download('/api/v1/audit/export', { ...filters, format }, `audit-log.${format}`);
}

export const useAuditEvents = (f: AuditFilter, enabled = true) =>
  useQuery({ queryKey: auditKeys.list(f), queryFn: () => fetchAuditEvents(f), placeholderData: keepPreviousData, enabled });
