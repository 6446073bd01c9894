/**
 * Parses D2 with the real D2 compiler (`@terrastruct/d2`: the Go implementation built to WASM,
 * run in a worker thread) and returns nodes and edges by full id. Works in Node and under vitest.
 */
import { readFile } from 'node:fs/promises';
import { D2 } from '@terrastruct/d2';
import type { SeedDiagram } from './diagram-conformance.ts';

/** The first ```d2 fenced block of a Markdown document. */
export function d2BlockOf(markdown: string): string {
  const match = /```d2\s*\n([\s\S]*?)```/.exec(markdown);
  if (!match) throw new Error('no ```d2 fenced block found in the Markdown document');
  return match[1]!;
}

/** Compiles D2 source; throws the compiler's message on a syntax error. */
export async function parseD2(source: string): Promise<SeedDiagram> {
  const d2 = new D2();
  try {
    const { diagram } = await d2.compile(source);
    return {
      nodes: diagram.shapes.map((s) => s.id),
      edges: diagram.connections.map((c) => ({ src: c.src, dst: c.dst })),
    };
  } finally {
    // The compiler runs in a worker thread that would otherwise keep the process alive.
    const worker = d2 as unknown as { worker?: { terminate(): Promise<number> }; ready?: Promise<void> };
    await worker.ready?.catch(() => undefined);
    await worker.worker?.terminate();
  }
}

export async function readSeedDiagram(markdownPath: string): Promise<SeedDiagram> {
  return parseD2(d2BlockOf(await readFile(markdownPath, 'utf8')));
}
