import type { FakeRoute } from './fake-reply.js';

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
  };
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
  };
}
