/**
 * Caps the size of one MQTT control packet while it is still arriving. aedes' parser
 * (mqtt-packet) buffers a packet whole before handing it over, whatever its announced length (up
 * to 256 MB), so a client could make the broker hold hundreds of megabytes before
 * `authorizePublish` ever sees the 128 KB payload limit. Once the fixed header announces more
 * than `maxFrameBytes`, the connection is closed.
 *
 * It wraps the parser aedes keeps on each client (`client._parser`, mqtt-packet's Parser whose
 * `packet.length` is the announced remaining length): private, so the wrapper checks the shape
 * and does nothing when it differs (a test fails loudly instead: frame-size-guard via broker-abuse).
 */
import type { Client } from 'aedes';

interface ParserLike {
  parse(buf: Buffer): number;
  packet?: { length?: number };
}

/** Returns false when the parser is not the expected shape (the guard is then inactive). */
export function guardFrameSize(client: Client, maxFrameBytes: number, onOversize: (announced: number) => void): boolean {
  const parser = (client as unknown as { _parser?: ParserLike })._parser;
  if (!parser || typeof parser.parse !== 'function') return false;
  const parse = parser.parse.bind(parser);
  let tripped = false;
  parser.parse = (buf: Buffer) => {
    const remaining = parse(buf);
    const announced = parser.packet?.length ?? -1;
    if (!tripped && announced > maxFrameBytes) {
      tripped = true;
      onOversize(announced);
    }
    return remaining;
  };
  return true;
}
