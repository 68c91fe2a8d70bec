import { DEFAULT_MAX_JSON_DEPTH, ForgeError, parseBoundedJson } from '@forge/contracts';
import express, { type RequestHandler } from 'express';

export interface JsonBodyOptions {
  /** The largest body read, as express takes it (`1mb`, `512kb`). */
  limit: string;
  /** The deepest nesting accepted; default 64. */
  maxDepth?: number;
  /** Media types read as JSON; other bodies are left unread (`req.body` stays undefined). */
  types: readonly string[];
}

/** body-parser's failures carry `type`. */
interface BodyParserError extends Error {
  type?: string;
}

function mediaTypeOf(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase() || undefined;
}

/** What a body-parser failure is, as a ForgeError the transports know how to answer. */
function bodyFailure(error: BodyParserError, limit: string): ForgeError {
  switch (error.type) {
    case 'entity.too.large':
      return new ForgeError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ForgeError('UNSUPPORTED_CONTENT_TYPE', 'the request body uses an unsupported encoding');
    default:
      return new ForgeError('BAD_INPUT', 'the request body could not be read', {
        details: { refusal: 'syntax' },
      });
  }
}

/**
 * The one JSON body reader of Forge's HTTP edges: a size limit (PAYLOAD_TOO_LARGE past it) and a
 * depth limit checked before parsing (BAD_INPUT with `details.refusal` of `depth`, or `syntax`
 * for text that is not JSON), so no request can run a decoder or `JSON.stringify` out of stack.
 * Failures go to `next(error)` as ForgeErrors, for each binding to answer in its own format.
 */
export function boundedJsonBody(options: JsonBodyOptions): RequestHandler {
  const types = new Set(options.types.map((t) => t.toLowerCase()));
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const readText = express.text({
    limit: options.limit,
    type: (req) => {
      const type = mediaTypeOf(req.headers['content-type']);
      return type !== undefined && types.has(type);
    },
  });
  return (req, res, next) => {
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
