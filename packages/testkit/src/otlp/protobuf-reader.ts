/**
 * A small reader of the protobuf wire format (enough for OTLP): a message becomes its fields by
 * number, each value raw, and the OTLP decoder gives them meaning. Unknown fields are skipped as
 * protobuf requires, so a newer exporter's extra fields do not break the receiver.
 */
export type WireValue =
  | { readonly wire: 0; readonly varint: bigint }
  | { readonly wire: 1; readonly bytes: Uint8Array }
  | { readonly wire: 2; readonly bytes: Uint8Array }
  | { readonly wire: 5; readonly bytes: Uint8Array };

export type WireMessage = Map<number, WireValue[]>;

class Cursor {
  offset = 0;
  constructor(readonly data: Uint8Array) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.offset >= this.data.length) throw new Error('protobuf: truncated varint');
      const byte = this.data[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('protobuf: varint too long');
    }
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.offset + length > this.data.length) throw new Error('protobuf: truncated field');
    const bytes = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
}

/** Splits one message into its fields. Throws on a malformed or truncated message. */
export function readMessage(data: Uint8Array): WireMessage {
  const cursor = new Cursor(data);
  const fields: WireMessage = new Map();
  while (cursor.offset < data.length) {
    const tag = cursor.varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: WireValue;
    switch (wire) {
      case 0:
        value = { wire: 0, varint: cursor.varint() };
        break;
      case 1:
        value = { wire: 1, bytes: cursor.take(8) };
        break;
      case 2:
        value = { wire: 2, bytes: cursor.take(Number(cursor.varint())) };
        break;
      case 5:
        value = { wire: 5, bytes: cursor.take(4) };
        break;
      default:
        throw new Error(`protobuf: unsupported wire type ${wire} (field ${field})`);
    }
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

const decoder = new TextDecoder();

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Typed access to one message's fields (the last value wins for a singular field). */
export class Fields {
  constructor(private readonly fields: WireMessage) {}

  static of(data: Uint8Array): Fields {
    return new Fields(readMessage(data));
  }

  private last(field: number): WireValue | undefined {
    return this.fields.get(field)?.at(-1);
  }

  has(field: number): boolean {
    return this.fields.has(field);
  }

  string(field: number): string {
    const value = this.last(field);
    return value?.wire === 2 ? decoder.decode(value.bytes) : '';
  }

  bytes(field: number): Uint8Array {
    const value = this.last(field);
    return value?.wire === 2 ? value.bytes : new Uint8Array();
  }

  hex(field: number): string {
    return Buffer.from(this.bytes(field)).toString('hex');
  }

  /** An int64 / uint64 / enum / bool varint, as a number. */
  int(field: number): number {
    const value = this.last(field);
    return value?.wire === 0 ? Number(BigInt.asIntN(64, value.varint)) : 0;
  }

  /** A fixed64 (unsigned) as bigint. */
  fixed64(field: number): bigint {
    const value = this.last(field);
    return value?.wire === 1 ? view(value.bytes).getBigUint64(0, true) : 0n;
  }

  /** An sfixed64 as a number. */
  sfixed64(field: number): number {
    const value = this.last(field);
    return value?.wire === 1 ? Number(view(value.bytes).getBigInt64(0, true)) : 0;
  }

  double(field: number): number {
    const value = this.last(field);
    return value?.wire === 1 ? view(value.bytes).getFloat64(0, true) : 0;
  }

  /** Every embedded message of a repeated message field. */
  messages(field: number): Fields[] {
    return (this.fields.get(field) ?? []).filter((v) => v.wire === 2).map((v) => Fields.of(v.bytes));
  }

  message(field: number): Fields | undefined {
    const value = this.last(field);
    return value?.wire === 2 ? Fields.of(value.bytes) : undefined;
  }

  /** A repeated fixed64, packed (one length-delimited run) or not. */
  packedFixed64(field: number): number[] {
    const out: number[] = [];
    for (const value of this.fields.get(field) ?? []) {
      if (value.wire === 1) out.push(Number(view(value.bytes).getBigUint64(0, true)));
      else if (value.wire === 2)
        for (let at = 0; at + 8 <= value.bytes.length; at += 8)
          out.push(Number(view(value.bytes).getBigUint64(at, true)));
    }
    return out;
  }

  /** A repeated double, packed or not. */
  packedDouble(field: number): number[] {
    const out: number[] = [];
    for (const value of this.fields.get(field) ?? []) {
      if (value.wire === 1) out.push(view(value.bytes).getFloat64(0, true));
      else if (value.wire === 2)
        for (let at = 0; at + 8 <= value.bytes.length; at += 8)
          out.push(view(value.bytes).getFloat64(at, true));
    }
    return out;
  }
}
