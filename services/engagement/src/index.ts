export { createEngagementAgent, engagementAgent } from './agent.js';
export type { EngagementDeps, EngagementRuntime } from './engagement-deps.js';
export { engagementExtension } from './extension.js';
export { DraftReplyInput, DraftReplyOutput, draftReply } from './skills/draft-reply.js';
export { DraftTakeInput, DraftTakeOutput, draftTake } from './skills/draft-take.js';
export { FitReplyInput, FitReplyOutput, fitReply } from './skills/fit-reply.js';
export { TriageMentionsInput, TriageMentionsOutput, triageMentions } from './skills/triage-mentions.js';
export { STORY_CONSUMER } from './story-subscriber.js';
export { checkVoice } from './take/voice-check.js';
