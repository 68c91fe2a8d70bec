/** An OTLP attribute value as received: arrays and nested lists kept, int64 as a number. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

export type OtlpAttributes = Record<string, OtlpValue>;

/** One span as the receiver keeps it; ids are lower-case hex, `parentSpanId` is '' for a root. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (0 unspecified). */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: OtlpAttributes;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  readonly resource: OtlpAttributes;
  readonly scope: string;
}

/** One data point of a sum or gauge (`value`) or a histogram (`count`, `sum`, buckets). */
export interface ReceivedPoint {
  readonly attributes: OtlpAttributes;
  readonly timeUnixNano: bigint;
  readonly value?: number;
  readonly count?: number;
  readonly sum?: number;
  readonly bucketCounts?: number[];
  readonly explicitBounds?: number[];
}

/** One metric of one export: every export of a cumulative metric is kept, newest last. */
export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly kind: 'sum' | 'gauge' | 'histogram' | 'exponential-histogram' | 'summary';
  readonly points: readonly ReceivedPoint[];
  readonly resource: OtlpAttributes;
  readonly scope: string;
}

/** What one export request carried. */
export interface OtlpBatch {
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetric[];
}
