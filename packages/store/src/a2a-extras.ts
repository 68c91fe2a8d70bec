import type { ArtifactChunk } from '@forge/contracts';
import type { TaskA2AExtras } from './task-repository.js';

/** A record's extras before the edge has written any. */
export function emptyA2AExtras(): TaskA2AExtras {
  return { history: [], artifacts: [], metadata: {} };
}

/** Extras as stored, with any missing part filled in. */
export function normalizeA2AExtras(stored: Partial<TaskA2AExtras> | null | undefined): TaskA2AExtras {
  return {
    history: Array.isArray(stored?.history) ? stored.history : [],
    artifacts: Array.isArray(stored?.artifacts) ? stored.artifacts : [],
    metadata:
      stored?.metadata && typeof stored.metadata === 'object' && !Array.isArray(stored.metadata)
        ? stored.metadata
        : {},
  };
}

/**
 * Merges a patch into stored extras. History entries match on `messageId` and artifacts on
 * `artifactId`: a patched entry replaces the stored one in place, new entries append in patch
 * order, entries without an id always append. Metadata merges key by key. Pure; the same
 * function serves every repository, so they cannot drift apart.
 */
export function mergeA2AExtras(current: TaskA2AExtras, patch: Partial<TaskA2AExtras>): TaskA2AExtras {
  return {
    history: patch.history ? mergeById(current.history, patch.history, 'messageId') : current.history,
    artifacts: patch.artifacts
      ? mergeById(current.artifacts, patch.artifacts, 'artifactId')
      : current.artifacts,
    metadata: patch.metadata ? { ...current.metadata, ...patch.metadata } : current.metadata,
  };
}

function mergeById(current: unknown[], incoming: unknown[], key: string): unknown[] {
  const merged = [...current];
  const indexById = new Map<string, number>();
  merged.forEach((entry, index) => {
    const id = idOf(entry, key);
    if (id !== undefined) indexById.set(id, index);
  });
  for (const entry of incoming) {
    const id = idOf(entry, key);
    const at = id === undefined ? undefined : indexById.get(id);
    if (at === undefined) {
      if (id !== undefined) indexById.set(id, merged.length);
      merged.push(entry);
    } else {
      merged[at] = entry;
    }
  }
  return merged;
}

function idOf(entry: unknown, key: string): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const id = (entry as Record<string, unknown>)[key];
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** An artifact chunk as the artifact JSON it stands for (A2A v1.0 `Artifact`). */
export function artifactJson(chunk: ArtifactChunk): Record<string, unknown> {
  return {
    artifactId: chunk.artifactId,
    ...(chunk.name === undefined ? {} : { name: chunk.name }),
    ...(chunk.description === undefined ? {} : { description: chunk.description }),
    parts: chunk.parts,
    ...(chunk.metadata === undefined ? {} : { metadata: chunk.metadata }),
  };
}

/**
 * Applies a chunk to stored artifacts: `append` adds its parts to the artifact of its id, else it
 * replaces that artifact; an artifact not stored yet is added at the end. Pure; the Postgres
 * repository does the same in SQL.
 */
export function mergeArtifactChunk(artifacts: unknown[], chunk: ArtifactChunk): unknown[] {
  const index = artifacts.findIndex((a) => idOf(a, 'artifactId') === chunk.artifactId);
  if (index === -1) return [...artifacts, artifactJson(chunk)];
  const merged = [...artifacts];
  if (chunk.append) {
    const current = merged[index] as Record<string, unknown>;
    const parts = Array.isArray(current.parts) ? current.parts : [];
    merged[index] = { ...current, parts: [...parts, ...chunk.parts] };
  } else {
    merged[index] = artifactJson(chunk);
  }
  return merged;
}
