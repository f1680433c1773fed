/** One page of a list endpoint's results; each endpoint's query schema bounds `pageSize`. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
