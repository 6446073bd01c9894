/**
 * `npm run diagram`: reads the synthesized templates (cdk.out, after `npm run synth`) and writes a
 * D2 diagram of what the app deploys, then checks it with the D2 compiler and renders an SVG.
 * Usage: node --import tsx scripts/diagram.ts [cdk.out] [output.d2]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { D2 } from '@terrastruct/d2';
import type { CfnTemplate } from '../lib/template-graph.ts';
import { templatesToD2 } from '../lib/template-diagram.ts';

interface Manifest {
  readonly artifacts: Readonly<Record<string, { readonly type: string; readonly properties?: { readonly templateFile?: string } }>>;
}

const [assemblyDir = 'cdk.out', output = 'deployed-architecture.d2'] = process.argv.slice(2);
const manifest = JSON.parse(await readFile(join(assemblyDir, 'manifest.json'), 'utf8')) as Manifest;
const templates: Record<string, CfnTemplate> = {};
for (const [name, artifact] of Object.entries(manifest.artifacts)) {
  if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
  templates[name] = JSON.parse(await readFile(join(assemblyDir, artifact.properties.templateFile), 'utf8')) as CfnTemplate;
}
if (Object.keys(templates).length === 0) {
  throw new Error(`no stack templates in ${resolve(assemblyDir)}/manifest.json; run "npm run synth" first`);
}

const source = templatesToD2(templates);
await writeFile(output, source);

const d2 = new D2();
try {
  const compiled = await d2.compile({ fs: { index: source }, options: { layout: 'elk' } });
  const svg = await d2.render(compiled.diagram, { ...compiled.renderOptions, pad: 40 });
  const svgPath = output.replace(/\.d2$/, '') + '.svg';
  await writeFile(svgPath, svg);
  console.log(
    `wrote ${output} (${compiled.diagram.shapes.length} shapes, ${compiled.diagram.connections.length} connections) and ${svgPath}`,
  );
} finally {
  await (d2 as unknown as { worker?: { terminate(): Promise<number> } }).worker?.terminate();
}
