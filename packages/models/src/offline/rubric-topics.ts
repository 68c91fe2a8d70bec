import { LEAD_NAME, NEGATIVE_LABEL } from './rubric-scorer.js';
import { descriptiveTerms, terms } from './text-terms.js';

/** A topic the rubric names and describes: "- ai-agents: AI agents in production, routing…". */
export interface RubricTopic {
  /** The name as the rubric wrote it, so it can be echoed as an id. */
  name: string;
  /** The name's terms and the description's descriptive terms. */
  terms: Set<string>;
}

/**
 * The topics a rubric lists: lines opening with a name and a colon followed by a description.
 * Negative names ("irrelevant: gossip") are not topics. Fewer than two such lines is a rubric
 * of labels, not a topic list, and gives none.
 */
export function rubricTopics(rubric: string): RubricTopic[] {
  const topics: RubricTopic[] = [];
  for (const line of rubric.split('\n')) {
    const lead = LEAD_NAME.exec(line);
    const name = lead?.[1]?.trim();
    if (!lead || !name || NEGATIVE_LABEL.test(name)) continue;
    const description = descriptiveTerms(line.slice(lead[0].length));
    if (description.length === 0) continue;
    topics.push({ name, terms: new Set([...terms(name.replace(/[_-]+/g, ' ')), ...description]) });
  }
  return topics.length >= 2 ? topics : [];
}

/** The topics an item touches: most shared terms first, rubric order breaking ties. */
export function matchTopics(topics: readonly RubricTopic[], item: string): string[] {
  const itemTerms = new Set(terms(item));
  return topics
    .map((topic, order) => {
      let hits = 0;
      for (const term of topic.terms) if (itemTerms.has(term)) hits += 1;
      return { name: topic.name, hits, order };
    })
    .filter((topic) => topic.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.order - b.order)
    .map((topic) => topic.name);
}
