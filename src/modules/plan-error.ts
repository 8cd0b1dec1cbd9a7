import { FoobarError } from '../core/errors';

/** The host is in a state a module will not change on its own (e.g. a file where a folder belongs). */
export class PlanError extends FoobarError {
  readonly kind = 'plan';
}
