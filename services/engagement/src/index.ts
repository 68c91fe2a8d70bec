export { engagementAgent } from './agent.js';
export { DraftReplyInput, DraftReplyOutput, draftReply } from './skills/draft-reply.js';
export { FitReplyInput, FitReplyOutput, fitReply } from './skills/fit-reply.js';
