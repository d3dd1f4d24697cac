import type { PayloadDecoder, PayloadFormat } from '../payload-format.ts';
import { airrohrDecoder } from './airrohr-payload.ts';
import { fiwareDecoder } from './fiware-payload.ts';
import { nativeDecoder } from './native-payload.ts';
import { senmlDecoder } from './senml-payload.ts';
import { ttnDecoder } from './ttn-payload.ts';

// One decoder per registered payload format. Formats without a decoder yet are refused when a
// device is provisioned, so a device can never be registered with a format ingest cannot read.
const DECODERS: Partial<Record<PayloadFormat, PayloadDecoder>> = {
  native: nativeDecoder,
  senml: senmlDecoder,
  airrohr: airrohrDecoder,
  ttn: ttnDecoder,
  fiware: fiwareDecoder,
};

export function decoderFor(format: PayloadFormat): PayloadDecoder | undefined {
  return DECODERS[format];
}

export function supportedFormats(): PayloadFormat[] {
  return Object.keys(DECODERS) as PayloadFormat[];
}
