import { readFile, stat } from 'node:fs/promises';

/**
 * A file read again whenever it changes, checked at most once per `checkMs`: secrets and keys
 * rotate by replacing the file, with no restart. `read()` answers from the cache between checks;
 * a file that disappears reads as `null` (a rotation's second key may be absent).
 */
export class WatchedFile<T> {
  readonly #path: string;
  readonly #parse: (text: string) => T | Promise<T>;
  readonly #checkMs: number;
  readonly #now: () => number;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #stamp = '';
  #value: T | null = null;
  #pending: Promise<T | null> | null = null;

  constructor(
    path: string,
    parse: (text: string) => T | Promise<T>,
    options: { checkMs?: number; now?: () => number } = {},
  ) {
    this.#path = path;
    this.#parse = parse;
    this.#checkMs = options.checkMs ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  get path(): string {
    return this.#path;
  }

  /** The parsed content as of the last check; re-reads when the file's size or mtime moved. */
  read(): Promise<T | null> {
    if (this.#now() - this.#checkedAt < this.#checkMs) return Promise.resolve(this.#value);
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #refresh(): Promise<T | null> {
    this.#checkedAt = this.#now();
    const info = await stat(this.#path).catch(() => null);
    if (info === null) {
      this.#stamp = '';
      this.#value = null;
      return null;
    }
    const stamp = `${info.size}:${info.mtimeMs}:${info.ino}`;
    if (stamp === this.#stamp) return this.#value;
    const text = await readFile(this.#path, 'utf8');
    this.#value = await this.#parse(text);
    this.#stamp = stamp;
    return this.#value;
  }
}
