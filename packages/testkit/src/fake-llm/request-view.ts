import type { FakeRoute } from './fake-reply.js';
import type { PromptBlock } from './prompt-cache.js';

/** What the prompt cache reads of a request, per vendor. */
export type CacheView =
  | { route: 'anthropic'; blocks: PromptBlock[] }
  | {
      route: 'openai';
      /** Tools and response format: part of the cached prefix, ahead of the messages. */
      header: string;
      /** `prompt_cache_key`, or '' */
      key: string;
      /** `prompt_cache_retention: '24h'` */
      retention24h: boolean;
    };

/** The parts of a chat request the fake server needs, read from either vendor's body. */
export interface RequestView {
  route: FakeRoute;
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`; Anthropic streams always carry usage. */
  includeUsage: boolean;
  /** System prompt and every message's text, joined: what the prompt tokens are counted from. */
  promptText: string;
  lastUserText: string;
  /** Names of the tools offered. */
  toolNames: string[];
  /** The tool the request forces, if any. */
  forcedTool: string | undefined;
  /** True when the request asks for JSON output (response_format / output_config). */
  wantsJson: boolean;
  /** The structured output's name: the forced tool, else the json_schema's `name`. */
  outputName: string | undefined;
  /** The request as the prompt cache reads it. */
  cache: CacheView;
}

/** A request body the fake refuses, with the field at fault. */
export class BadFakeRequest extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a message `content`: a string, or an array of blocks whose text parts are joined. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) {
    if (isObject(block) && typeof block.text === 'string') text += block.text;
  }
  return text;
}

function readCommon(route: FakeRoute, body: unknown): { body: Json; model: string; messages: unknown[] } {
  if (!isObject(body)) throw new BadFakeRequest('body: expected a JSON object');
  if (typeof body.model !== 'string' || body.model === '') throw new BadFakeRequest('model: required');
  if (!Array.isArray(body.messages)) throw new BadFakeRequest('messages: required array');
  if (route === 'anthropic' && typeof body.max_tokens !== 'number') {
    throw new BadFakeRequest('max_tokens: required number');
  }
  return { body, model: body.model, messages: body.messages };
}

function promptOf(system: string, messages: unknown[]): { promptText: string; lastUserText: string } {
  let promptText = system;
  let lastUserText = '';
  for (const message of messages) {
    if (!isObject(message)) continue;
    const text = contentText(message.content);
    promptText += text;
    if (message.role === 'user') lastUserText = text;
  }
  return { promptText, lastUserText };
}

export function readOpenAIRequest(raw: unknown): RequestView {
  const { body, model, messages } = readCommon('openai', raw);
  const { promptText, lastUserText } = promptOf('', messages);
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const toolNames = tools.flatMap((tool) =>
    isObject(tool) && isObject(tool.function) && typeof tool.function.name === 'string'
      ? [tool.function.name]
      : [],
  );
  const choice = body.tool_choice;
  const forcedTool =
    isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string'
      ? choice.function.name
      : undefined;
  const format = body.response_format;
  const wantsJson = isObject(format) && (format.type === 'json_schema' || format.type === 'json_object');
  const options = body.stream_options;
  const cache: CacheView = {
    route: 'openai',
    header: JSON.stringify({ tools: body.tools ?? null, response_format: body.response_format ?? null }),
    key: typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : '',
    retention24h: body.prompt_cache_retention === '24h',
  };
  return {
    route: 'openai',
    model,
    stream: body.stream === true,
    includeUsage: isObject(options) && options.include_usage === true,
    promptText,
    lastUserText,
    toolNames,
    forcedTool,
    wantsJson,
    outputName:
      forcedTool ??
      (isObject(format) && isObject(format.json_schema) && typeof format.json_schema.name === 'string'
        ? format.json_schema.name
        : undefined),
    cache,
  };
}

/** A `cache_control` marker's TTL, or undefined when the value carries none. */
function breakpointOf(value: unknown): '5m' | '1h' | undefined {
  if (!isObject(value) || !isObject(value.cache_control)) return undefined;
  return value.cache_control.ttl === '1h' ? '1h' : '5m';
}

function withoutMarker(value: Json): string {
  const { cache_control: _marker, ...rest } = value;
  return JSON.stringify(rest);
}

/** Anthropic's prompt in its cache order (tools, system, messages), block by block. */
function anthropicBlocks(body: Json, messages: unknown[]): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  const push = (identity: string, chars: number, marker: unknown) => {
    const breakpoint = breakpointOf(marker);
    blocks.push({ identity, chars, ...(breakpoint ? { breakpoint } : {}) });
  };
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    // Tool definitions are part of the cached prefix; the fake does not count their tokens.
    if (isObject(tool)) push(withoutMarker(tool), 0, tool);
  }
  const contentBlocks = (role: string, content: unknown) => {
    if (typeof content === 'string') push(JSON.stringify([role, content]), content.length, undefined);
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (!isObject(part)) continue;
        const chars = typeof part.text === 'string' ? part.text.length : 0;
        push(JSON.stringify([role, withoutMarker(part)]), chars, part);
      }
    }
  };
  contentBlocks('system', body.system);
  for (const message of messages) {
    if (isObject(message)) contentBlocks(String(message.role), message.content);
  }
  return blocks;
}

export function readAnthropicRequest(raw: unknown): RequestView {
  const { body, model, messages } = readCommon('anthropic', raw);
  const { promptText, lastUserText } = promptOf(contentText(body.system), messages);
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const toolNames = tools.flatMap((tool) =>
    isObject(tool) && typeof tool.name === 'string' ? [tool.name] : [],
  );
  const choice = body.tool_choice;
  const forcedTool =
    isObject(choice) && choice.type === 'tool' && typeof choice.name === 'string' ? choice.name : undefined;
  const config = body.output_config;
  const wantsJson = isObject(config) && isObject(config.format) && config.format.type === 'json_schema';
  return {
    route: 'anthropic',
    model,
    stream: body.stream === true,
    includeUsage: true,
    promptText,
    lastUserText,
    toolNames,
    forcedTool,
    wantsJson,
    outputName: forcedTool,
    cache: { route: 'anthropic', blocks: anthropicBlocks(body, messages) },
  };
}
