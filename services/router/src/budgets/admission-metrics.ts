import { FORGE_METRICS, forgeMeter } from '@forge/telemetry';
import type { ObservableCallback } from '@opentelemetry/api';
import type { CallAdmission, CallEdge, OverloadReason } from './call-admission.js';

/**
 * The admission's metrics: `forge.admission.in_flight` and `forge.admission.queue_depth`
 * (observed at each collection) and `forge.admission.rejected` by edge and reason. Returns the
 * refusal counter's `add` (hand it to `CallAdmission`'s `onRefused`) and a stop for the gauges.
 */
export function admissionMetrics(): {
  refused: (edge: CallEdge, reason: OverloadReason) => void;
  observe: (admission: CallAdmission) => () => void;
} {
  const meter = forgeMeter('router');
  const { admissionInFlight, admissionQueued, admissionRefused } = FORGE_METRICS;
  const counter = meter.createCounter(admissionRefused.name, {
    unit: admissionRefused.unit,
    description: admissionRefused.description,
  });
  return {
    refused: (edge, reason) => counter.add(1, { 'forge.edge': edge, 'forge.admission.reason': reason }),
    observe: (admission) => {
      const inFlight = meter.createObservableGauge(admissionInFlight.name, {
        unit: admissionInFlight.unit,
        description: admissionInFlight.description,
      });
      const queued = meter.createObservableGauge(admissionQueued.name, {
        unit: admissionQueued.unit,
        description: admissionQueued.description,
      });
      const onInFlight: ObservableCallback = (result) => result.observe(admission.inFlight);
      const onQueued: ObservableCallback = (result) => result.observe(admission.queued);
      inFlight.addCallback(onInFlight);
      queued.addCallback(onQueued);
      return () => {
        inFlight.removeCallback(onInFlight);
        queued.removeCallback(onQueued);
      };
    },
  };
}
