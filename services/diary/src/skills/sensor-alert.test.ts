import { parseOrThrow } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { leafVpd } from '../sensors/metrics.js';
import { SensorAlertInput, sensorAlert, sensorAlertHandler } from './sensor-alert.js';

const NOW = new Date('2025-06-10T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

describe('sensorAlert', () => {
  it('says nothing when every metric is in its stage band', () => {
    const out = sensorAlert(
      {
        room: '4',
        stage: 'veg',
        readings: [
          { metric: 'vpd', value: 1.0, at: at(2) },
          { metric: 'temperature', value: 25, at: at(2) },
          { metric: 'humidity', value: 60, at: at(2) },
          { metric: 'co2', value: 900, at: at(2) },
        ],
      },
      NOW,
    );
    expect(out).toEqual({
      room: '4',
      severity: 'none',
      alerts: [],
      text: null,
      checkedAt: NOW.toISOString(),
    });
  });

  it('writes "room 4 VPD is out of range" from the latest reading, with its band and stage', () => {
    const out = sensorAlert(
      {
        room: '4',
        stage: 'veg',
        readings: [
          { metric: 'vpd', value: 1.0, at: at(20) },
          { metric: 'vpd', value: 1.35, at: at(1) },
        ],
      },
      NOW,
    );
    expect(out.severity).toBe('warning');
    expect(out.text).toBe('room 4 VPD is out of range: 1.35 kPa is above the 0.80–1.20 kPa target for veg');
    expect(out.alerts[0]).toMatchObject({
      metric: 'vpd',
      kind: 'out-of-range',
      min: 0.8,
      max: 1.2,
      derived: false,
    });
  });

  it('is critical past half the band width, and uses the room override and name', () => {
    const out = sensorAlert(
      {
        room: 'f2',
        roomName: 'Flower room 2',
        stage: 'late-flower',
        thresholds: { humidity: { min: 40, max: 50 } },
        readings: [{ metric: 'humidity', value: 56, at: at(1) }],
      },
      NOW,
    );
    expect(out.severity).toBe('critical');
    expect(out.text).toBe(
      'CRITICAL: Flower room 2 humidity is out of range: 56% is above the 40–50% target for late-flower',
    );
  });

  it('derives VPD from temperature (°F converted) and humidity taken together', () => {
    const out = sensorAlert(
      {
        room: '4',
        stage: 'veg',
        readings: [
          { metric: 'temperature', value: 86, unit: 'F', at: at(3) },
          { metric: 'humidity', value: 40, at: at(1) },
        ],
      },
      NOW,
    );
    const vpd = out.alerts.find((a) => a.metric === 'vpd');
    expect(vpd?.derived).toBe(true);
    expect(vpd?.value).toBeCloseTo(leafVpd(30, 40, -2), 6);
    expect(vpd?.text).toMatch(/^room 4 VPD is out of range: 2\.\d\d kPa \(derived\) is above/);
    expect(out.alerts.find((a) => a.metric === 'temperature')?.text).toContain(
      '30.0 °C is above the 22.0–28.0 °C target',
    );
    expect(leafVpd(25, 60, -2)).toBeCloseTo(0.909, 2);
  });

  it('does not derive VPD from readings taken far apart or when a VPD sensor reported', () => {
    const apart = sensorAlert(
      {
        room: '4',
        readings: [
          { metric: 'temperature', value: 25, at: at(25) },
          { metric: 'humidity', value: 60, at: at(1) },
        ],
      },
      NOW,
    );
    expect(apart.alerts).toEqual([]);
    const sensor = sensorAlert(
      {
        room: '4',
        readings: [
          { metric: 'temperature', value: 30, at: at(1) },
          { metric: 'humidity', value: 30, at: at(1) },
          { metric: 'vpd', value: 1.0, at: at(1) },
        ],
      },
      NOW,
    );
    expect(sensor.alerts.map((a) => a.metric)).toEqual(['temperature', 'humidity']);
  });

  it('reports a stale metric and an impossible value as sensor problems, not room problems', () => {
    const out = sensorAlert(
      {
        room: '4',
        readings: [
          { metric: 'co2', value: 5000, at: at(95) },
          { metric: 'humidity', value: 130, at: at(1) },
        ],
        staleAfterMinutes: 30,
      },
      NOW,
    );
    expect(out.alerts).toEqual([
      expect.objectContaining({
        metric: 'humidity',
        kind: 'sensor-fault',
        text: 'room 4 humidity sensor reports an impossible 130%; check the sensor',
      }),
      expect.objectContaining({
        metric: 'co2',
        kind: 'stale',
        text: 'room 4 CO2 has not reported for 95 minutes',
      }),
    ]);
    expect(out.severity).toBe('warning');
  });

  it('validates units and bands naming the field', () => {
    const base = { room: '4', readings: [{ metric: 'humidity', value: 50, at: at(1) }] };
    expect(() =>
      parseOrThrow(SensorAlertInput, { ...base, readings: [{ ...base.readings[0], unit: 'F' }] }, 'input'),
    ).toThrow('readings.0.unit: F is not a unit of humidity');
    expect(() =>
      parseOrThrow(SensorAlertInput, { ...base, thresholds: { vpd: { min: 1.2, max: 0.8 } } }, 'input'),
    ).toThrow('thresholds.vpd.max: min must be below max');
    expect(() =>
      parseOrThrow(
        SensorAlertInput,
        { ...base, readings: [{ metric: 'lux', value: 1, at: at(1) }] },
        'input',
      ),
    ).toThrow('readings.0.metric');
  });
});

describe('sensor-alert handler', () => {
  it('publishes a sensor-alert event only when something is wrong', async () => {
    const events: { kind: string; data: Record<string, unknown> }[] = [];
    const ctx = {
      emit: async (kind: string, data: Record<string, unknown>) => void events.push({ kind, data }),
    };
    const now = new Date().toISOString();
    await sensorAlertHandler(
      SensorAlertInput.parse({ room: '4', readings: [{ metric: 'vpd', value: 1.0, at: now }] }),
      ctx,
    );
    expect(events).toEqual([]);
    await sensorAlertHandler(
      SensorAlertInput.parse({ room: '4', readings: [{ metric: 'vpd', value: 1.7, at: now }] }),
      ctx,
    );
    expect(events).toEqual([
      {
        kind: 'sensor-alert',
        data: {
          room: '4',
          severity: 'critical',
          text: 'CRITICAL: room 4 VPD is out of range: 1.70 kPa is above the 0.80–1.20 kPa target for veg',
          metrics: ['vpd'],
        },
      },
    ]);
  });
});
