/** One server-sent event, serialised, and whether it carries generated content (counted for cut-offs). */
export interface SseEvent {
  text: string;
  delta: boolean;
}
