/**
 * A vendor-neutral token estimate: one token per four characters, rounded up. Used where no
 * vendor count exists: admission reservations, offline usage (for shadow cost), and the part of
 * a cut-off stream the vendor never counted.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The estimate for a whole prompt: the system prompt, the stable parts and every message. */
export function estimatePromptTokens(request: {
  system?: string | undefined;
  stable?: ReadonlyArray<{ text: string }> | undefined;
  messages: ReadonlyArray<{ content: string }>;
}): number {
  let chars = request.system?.length ?? 0;
  for (const part of request.stable ?? []) chars += part.text.length;
  for (const message of request.messages) chars += message.content.length;
  return Math.ceil(chars / 4);
}
