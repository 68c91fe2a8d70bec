import type { Message, Part } from '@a2a-js/sdk';
import { ForgeError } from '@forge/contracts';
import type { Skill } from '../skills/define-skill.js';

/** A media type without parameters, lower-cased: `Text/Plain; charset=utf-8` → `text/plain`. */
export function bareMediaType(type: string): string {
  return type.split(';', 1)[0]!.trim().toLowerCase();
}

/** Whether `type` is covered by `mode` (`image/png` by `image/png`, `image/*` or `*\/*`). */
export function mediaTypeMatches(mode: string, type: string): boolean {
  const m = bareMediaType(mode);
  const t = bareMediaType(type);
  if (m === '*/*' || m === t) return true;
  return m.endsWith('/*') && t.startsWith(m.slice(0, -1));
}

/** The media type a part carries: its own, else what its content implies (A2A v1.0 §4.1.6). */
export function partMediaType(part: Part): string {
  if (part.mediaType) return bareMediaType(part.mediaType);
  switch (part.content?.$case) {
    case 'text':
      return 'text/plain';
    case 'data':
      return 'application/json';
    default:
      return 'application/octet-stream';
  }
}

/**
 * Refuses a message the skill cannot take or answer in a way the caller accepts (A2A v1.0 §3.3.2
 * `ContentTypeNotSupportedError`): every part's media type must be one of the skill's input
 * modes, and when the caller lists `acceptedOutputModes`, one of the skill's output modes must
 * be among them. UNSUPPORTED_CONTENT_TYPE naming the field otherwise.
 */
export function checkContentTypes(
  skillRef: string,
  skill: Skill,
  message: Message,
  acceptedOutputModes: readonly string[],
): void {
  message.parts.forEach((part, index) => {
    const type = partMediaType(part);
    if (!skill.inputModes.some((mode) => mediaTypeMatches(mode, type))) {
      const field = `message.parts[${index}]`;
      throw new ForgeError(
        'UNSUPPORTED_CONTENT_TYPE',
        `${field}: ${skillRef} does not take ${type}; it takes ${skill.inputModes.join(', ')}`,
        { details: { field } },
      );
    }
  });
  if (acceptedOutputModes.length === 0) return;
  const answers = skill.outputModes.some((out) =>
    acceptedOutputModes.some((acc) => mediaTypeMatches(acc, out)),
  );
  if (!answers) {
    const field = 'configuration.acceptedOutputModes';
    throw new ForgeError(
      'UNSUPPORTED_CONTENT_TYPE',
      `${field}: ${skillRef} answers in ${skill.outputModes.join(', ')}, none of which the caller accepts`,
      { details: { field } },
    );
  }
}
