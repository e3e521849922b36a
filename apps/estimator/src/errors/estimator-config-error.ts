/** A bad flag, variable or input file at start-up: the estimator prints one line naming it and exits 2. */
export class EstimatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EstimatorConfigError';
  }
}
