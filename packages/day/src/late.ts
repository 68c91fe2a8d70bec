import { ForgeError } from '@forge/contracts';

/**
 * A dependency bound once the service has its connections: skills are declared at import time,
 * their pools and buses exist only after `start`. Reading it before `bind` is UNAVAILABLE (the
 * service is starting), never a crash.
 */
export class Late<T> {
  #value: T | undefined;
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  bind(value: T): void {
    this.#value = value;
  }

  get(): T {
    if (this.#value === undefined) {
      throw new ForgeError('UNAVAILABLE', `${this.#what} is not ready: the service is starting`);
    }
    return this.#value;
  }
}
