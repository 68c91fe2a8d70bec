import { Message, StreamResponse, Task } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { skillMessage } from '@forge/agent-kit';
import { ForgeError } from '@forge/contracts';
import { connectAgent } from '../a2a-client.js';
import { readOperatorKey } from '../api-keys.js';
import type { SendOptions } from '../args.js';
import type { Io } from '../io.js';
import { locateServices } from '../mesh-file.js';
import { brainPaths } from '../paths.js';
import { readSkillInput } from '../skill-input.js';
import { describeTask, isFailure, isSettled, isTask, messageText, stateName } from '../task-view.js';

const POLL_INTERVAL_MS = 300;

/**
 * `forge send <agent> <skill>`: sends an A2A message naming the skill, with the input as a data
 * part, authenticated with the operator key, and prints the resulting task (`--json`: the A2A
 * Task as JSON, `status.state` included). Blocking by default: waits until the task is done or
 * waits on its caller, polling GetTask if the agent answered early. `--stream` prints each event
 * as it arrives, then the task. Exit code 1 when the task failed or was rejected.
 */
export async function runSend(options: SendOptions, io: Io): Promise<number> {
  const raw = await readSkillInput(options.input);
  // `partner/<name>/<skill>`: the gateway's partners.ask takes the target and the partner skill's input.
  const input = options.partnerTarget ? { target: options.partnerTarget, input: raw } : raw;
  const paths = brainPaths(options.stateDir, options.brain);
  const apiKey = options.apiKey ?? (await readOperatorKey(paths));
  if (!apiKey) {
    throw new ForgeError(
      'UNAUTHENTICATED',
      `no API key: set FORGE_API_KEY or run \`forge up\` first (no ${paths.operatorKey})`,
    );
  }
  const services = await locateServices(paths.mesh, options.portBase);
  const service = services.find((entry) => entry.name === options.agent);
  if (!service) {
    throw new ForgeError(
      'NOT_FOUND',
      options.partnerTarget
        ? `brain ${options.brain} runs no gateway: start it with a federation config (forge up --brains or --federation)`
        : `no service named ${options.agent} in brain ${options.brain}`,
    );
  }
  const client = await connectAgent(service.url, apiKey);
  // agent-kit owns the message convention (skill in metadata, input as a data part).
  const message = skillMessage({ skill: options.skill, input });
  const request = {
    tenant: '',
    message,
    configuration: {
      acceptedOutputModes: [],
      taskPushNotificationConfig: undefined,
      returnImmediately: false,
    },
    metadata: undefined,
  };
  const signal = AbortSignal.timeout(options.timeoutMs);
  const what = `${options.agent}.${options.skill}`;
  let taskId: string | null = null;
  try {
    let task: Task;
    if (options.stream) {
      for await (const event of client.sendMessageStream(request, { signal })) {
        taskId = taskIdOf(event) ?? taskId;
        const line = eventLine(event, options.json);
        if (line !== null) io.out(line);
      }
      if (taskId === null) return 0;
      task = await client.getTask({ tenant: '', id: taskId, historyLength: 0 }, { signal });
    } else {
      const result = await client.sendMessage(request, { signal });
      if (!isTask(result)) {
        io.out(options.json ? JSON.stringify(Message.toJSON(result)) : messageText(result));
        return 0;
      }
      taskId = result.id;
      task = await settle(client, result, signal);
    }
    if (options.json) io.out(JSON.stringify(Task.toJSON(task)));
    else for (const line of describeTask(task)) io.out(line);
    return isFailure(task) ? 1 : 0;
  } catch (error) {
    if (signal.aborted) {
      const which = taskId ? ` (task ${taskId} may still be running)` : '';
      throw new ForgeError(
        'DEADLINE_EXCEEDED',
        `${what}: no answer within ${options.timeoutMs / 1000}s${which}`,
      );
    }
    if (error instanceof ForgeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ForgeError('UNAVAILABLE', `${what} at ${service.url} failed: ${reason}`, { cause: error });
  }
}

/** Polls GetTask until the task is done or waits on its caller; the signal bounds the wait. */
async function settle(client: Client, first: Task, signal: AbortSignal): Promise<Task> {
  let task = first;
  while (!isSettled(task)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    signal.throwIfAborted();
    task = await client.getTask({ tenant: '', id: task.id, historyLength: 0 }, { signal });
  }
  return task;
}

function taskIdOf(event: StreamResponse): string | null {
  const payload = event.payload;
  if (!payload) return null;
  switch (payload.$case) {
    case 'task':
      return payload.value.id;
    case 'statusUpdate':
    case 'artifactUpdate':
      return payload.value.taskId;
    case 'message':
      return payload.value.taskId || null;
  }
}

/** One line for a stream event: the JSON of the event with `--json`, else a short human form. */
function eventLine(event: StreamResponse, json: boolean): string | null {
  if (json) return JSON.stringify(StreamResponse.toJSON(event));
  const payload = event.payload;
  if (!payload) return null;
  switch (payload.$case) {
    case 'task':
      return `task ${payload.value.id}: ${stateName(payload.value.status?.state)}`;
    case 'statusUpdate': {
      const text = messageText(payload.value.status?.message);
      return `${stateName(payload.value.status?.state)}${text ? `: ${text}` : ''}`;
    }
    case 'artifactUpdate':
      return `artifact ${payload.value.artifact?.name || payload.value.artifact?.artifactId || ''}`;
    case 'message':
      return messageText(payload.value);
  }
}
