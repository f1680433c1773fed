/** One page of a list answer, as every list endpoint returns it (src/shared/pagination.ts). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
