import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ForgeError } from '@forge/contracts';
import { offsetMinutes } from '@forge/zoned-time';
import { z } from 'zod';

const RoomsFile = z.object({
  rooms: z.array(
    z.object({
      room: z.string().regex(/^[A-Za-z0-9-]{1,40}$/),
      roomName: z.string().min(1).max(80),
      stage: z.string().min(1).max(40),
      profile: z.string().regex(/^[\w.-]+\.csv$/),
    }),
  ),
});

interface Sample {
  minute: number;
  temperature: number;
  humidity: number;
  co2: number;
}

export interface Room {
  room: string;
  roomName: string;
  stage: string;
  /** The recorded day, one sample per row, by minute of the day. */
  samples: Sample[];
}

export interface Reading {
  metric: 'temperature' | 'humidity' | 'co2';
  value: number;
  unit: 'C' | '%' | 'ppm';
  at: string;
}

function parseProfile(text: string, file: string): Sample[] {
  const rows = text.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
  const [header, ...data] = rows;
  if (header?.trim() !== 'time,temperature,humidity,co2')
    throw new ForgeError('BAD_CONFIG', `${file}: header must be time,temperature,humidity,co2`);
  const samples = data.map((line, i) => {
    const [time = '', t, h, c] = line.split(',');
    const [hh, mm] = time.split(':').map(Number);
    const sample = {
      minute: (hh ?? Number.NaN) * 60 + (mm ?? Number.NaN),
      temperature: Number(t),
      humidity: Number(h),
      co2: Number(c),
    };
    if (Object.values(sample).some((v) => !Number.isFinite(v)))
      throw new ForgeError('BAD_CONFIG', `${file} row ${i + 2}: not a number`);
    return sample;
  });
  if (samples.length < 2) throw new ForgeError('BAD_CONFIG', `${file}: needs at least two rows`);
  return samples.sort((a, b) => a.minute - b.minute);
}

/** Reads `rooms.json` and each room's recorded day from `dir`. */
export async function loadRooms(dir: string): Promise<Map<string, Room>> {
  const { rooms } = RoomsFile.parse(JSON.parse(await readFile(join(dir, 'rooms.json'), 'utf8')));
  const loaded = await Promise.all(
    rooms.map(async (r) => ({
      room: r.room,
      roomName: r.roomName,
      stage: r.stage,
      samples: parseProfile(await readFile(join(dir, r.profile), 'utf8'), r.profile),
    })),
  );
  return new Map(loaded.map((r) => [r.room, r]));
}

/** Linear interpolation in the recorded day at `minute` (wrapping past midnight). */
function sampleAt(samples: Sample[], minute: number): Omit<Sample, 'minute'> {
  const m = ((minute % 1440) + 1440) % 1440;
  let i = samples.findIndex((s) => s.minute > m);
  if (i === -1) i = 0;
  const after = samples[i]!;
  const before = samples[(i - 1 + samples.length) % samples.length]!;
  const span = (after.minute - before.minute + 1440) % 1440 || 1440;
  const f = ((m - before.minute + 1440) % 1440) / span;
  const mix = (a: number, b: number) => a + (b - a) * f;
  return {
    temperature: mix(before.temperature, after.temperature),
    humidity: mix(before.humidity, after.humidity),
    co2: mix(before.co2, after.co2),
  };
}

/** Deterministic small jitter (a sensor is never perfectly flat), from the room, metric and minute. */
function jitter(key: string, amplitude: number): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (((h >>> 0) % 2001) / 1000 - 1) * amplitude;
}

/**
 * The room's readings over the last `minutes`, one set every `step` minutes. Values replay the
 * recorded day at the day clock's time of day (in `timeZone`); timestamps are real time, so a
 * consumer's staleness checks hold on a fast day too.
 */
export function readings(
  room: Room,
  opts: { minutes: number; step: number; dayNow: number; realNow: number; timeZone: string },
): Reading[] {
  const out: Reading[] = [];
  const count = Math.floor(opts.minutes / opts.step);
  const dayOffset = offsetMinutes(opts.timeZone, opts.dayNow);
  const stepMs = opts.step * 60_000;
  const realEnd = Math.floor(opts.realNow / stepMs) * stepMs;
  const dayEnd = Math.floor(opts.dayNow / stepMs) * stepMs;
  for (let k = count; k >= 0; k--) {
    const dayAt = dayEnd - k * stepMs;
    const minuteOfDay = Math.floor((dayAt + dayOffset * 60_000) / 60_000) % 1440;
    const v = sampleAt(room.samples, minuteOfDay);
    const at = new Date(realEnd - k * stepMs).toISOString();
    const key = `${room.room}:${Math.floor(dayAt / 60_000)}`;
    out.push(
      { metric: 'temperature', value: round(v.temperature + jitter(`${key}:t`, 0.1), 1), unit: 'C', at },
      { metric: 'humidity', value: round(v.humidity + jitter(`${key}:h`, 0.4), 0), unit: '%', at },
      { metric: 'co2', value: round(v.co2 + jitter(`${key}:c`, 10), 0), unit: 'ppm', at },
    );
  }
  return out;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
