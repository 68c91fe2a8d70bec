import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from './telemetry-config.js';

const identity = { serviceName: 'forge-test', packageJson: new URL('../package.json', import.meta.url) };

describe('loadTelemetryConfig', () => {
  it('exports nothing by default, and names the service, its version and brain', () => {
    expect(loadTelemetryConfig({}, identity)).toEqual({
      serviceName: 'forge-test',
      serviceVersion: '0.1.0',
      namespace: 'local',
      environment: 'local',
      metricExportIntervalMs: 60_000,
      metrics: { host: '0.0.0.0' },
      traceDetail: 'quiet',
    });
  });

  it('reads the OTLP settings the OpenTelemetry way and Forge’s own', () => {
    const config = loadTelemetryConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%3Db, tenant = acme',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
        FORGE_BRAIN: 'acme',
        FORGE_ENVIRONMENT: 'staging',
        FORGE_SERVICE_VERSION: '1.2.3',
        FORGE_METRICS_PORT: '9464',
      },
      identity,
    );
    expect(config).toMatchObject({
      serviceVersion: '1.2.3',
      namespace: 'acme',
      environment: 'staging',
      otlp: {
        endpoint: 'http://collector:4318',
        protocol: 'http/json',
        headers: { 'x-api-key': 'a=b', tenant: 'acme' },
      },
      metricExportIntervalMs: 5000,
      metrics: { port: 9464, host: '0.0.0.0' },
    });
  });

  it('lists every bad variable at once and never echoes a header value', () => {
    expect(() =>
      loadTelemetryConfig(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_HEADERS: 'secret-token-value',
          FORGE_METRICS_PORT: '70000',
        },
        identity,
      ),
    ).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT.*OTEL_EXPORTER_OTLP_PROTOCOL.*OTEL_EXPORTER_OTLP_HEADERS.*FORGE_METRICS_PORT/,
    );
    try {
      loadTelemetryConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'secret-token-value' }, identity);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-token-value');
    }
  });
});
