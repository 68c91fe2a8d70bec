import { DEFAULT_MAX_JSON_DEPTH, ForgeError, parseBoundedJson } from '@forge/contracts';
import express, { type Request, type RequestHandler } from 'express';

export interface JsonBodyOptions {
  /** The largest body read, as express takes it (`1mb`, `512kb`). */
  limit: string;
  /** The deepest nesting accepted; default 64. */
  maxDepth?: number;
  /** Media types read as JSON. A body of any other type is refused (UNSUPPORTED_MEDIA_TYPE). */
  types: readonly string[];
  /** Read a body that names no Content-Type as JSON too (plain `curl -d` sends none… or a form type). */
  absentIsJson?: boolean;
}

/** body-parser's failures carry `type`. */
interface BodyParserError extends Error {
  type?: string;
}

function mediaTypeOf(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase() || undefined;
}

/** Whether the request carries a body at all (a GET usually does not). */
function hasBody(headers: Request['headers']): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

/** What a body-parser failure is, as a ForgeError the transports know how to answer. */
function bodyFailure(error: BodyParserError, limit: string): ForgeError {
  switch (error.type) {
    case 'entity.too.large':
      return new ForgeError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ForgeError('UNSUPPORTED_MEDIA_TYPE', 'the request body uses an unsupported encoding');
    default:
      return new ForgeError('BAD_INPUT', 'the request body could not be read', {
        details: { refusal: 'syntax' },
      });
  }
}

/**
 * The one JSON body reader of Forge's HTTP edges: a size limit (PAYLOAD_TOO_LARGE past it), a
 * media type check (UNSUPPORTED_MEDIA_TYPE, 415, for a body of another type) and a depth limit
 * checked before parsing (BAD_INPUT with `details.refusal` of `depth`, or `syntax` for text that
 * is not JSON), so no request can run a decoder or `JSON.stringify` out of stack.
 * Failures go to `next(error)` as ForgeErrors, for each binding to answer in its own format.
 */
export function boundedJsonBody(options: JsonBodyOptions): RequestHandler {
  const types = new Set(options.types.map((t) => t.toLowerCase()));
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const accepted = (type: string | undefined) =>
    type === undefined ? options.absentIsJson === true : types.has(type);
  const readText = express.text({
    limit: options.limit,
    type: (req) => accepted(mediaTypeOf(req.headers['content-type'])),
  });
  return (req, res, next) => {
    const type = mediaTypeOf(req.headers['content-type']);
    if (hasBody(req.headers) && !accepted(type)) {
      next(
        new ForgeError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type ${type ?? '(none)'} is not accepted here; send ${[...types].join(' or ')}`,
          { details: { field: 'Content-Type' } },
        ),
      );
      return;
    }
    readText(req, res, (error?: unknown) => {
      if (error) {
        next(bodyFailure(error as BodyParserError, options.limit));
        return;
      }
      if (typeof req.body !== 'string') {
        req.body = undefined;
        next();
        return;
      }
      try {
        req.body = req.body.length === 0 ? undefined : parseBoundedJson(req.body, maxDepth);
        next();
      } catch (parseError) {
        next(parseError);
      }
    });
  };
}
