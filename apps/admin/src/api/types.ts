/** Shapes shared by several API modules. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
