/** A bad flag, variable or input file at start-up: the dashboard prints one line naming it and exits 2. */
export class DashboardConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DashboardConfigError';
  }
}
