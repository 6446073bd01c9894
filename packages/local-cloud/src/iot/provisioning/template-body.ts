/**
 * AWS IoT provisioning templates (https://docs.aws.amazon.com/iot/latest/developerguide/provision-template.html):
 * checking a template body at CreateProvisioningTemplate, and resolving it for one RegisterThing
 * with the device's parameters. The subset spoken here: `Parameters` (Type String, optional
 * Default), the resources `AWS::IoT::Thing` (ThingName, AttributePayload, ThingGroups),
 * `AWS::IoT::Certificate` (CertificateId, Status) and `AWS::IoT::Policy` (PolicyName or
 * PolicyDocument), `DeviceConfiguration`, and the intrinsic functions `Ref`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select` and `Fn::Split`. Anything else is refused at creation, not ignored at run time.
 */
import type { ProvisioningTemplateBody, TemplateValue } from '@fleet/core';

/** A template that does not parse or uses what the local cloud does not run; InvalidRequestException. */
export class TemplateBodyError extends Error {
  override readonly name = 'TemplateBodyError';
}

/** A RegisterThing whose parameters do not satisfy the template (a missing parameter). */
export class TemplateParameterError extends Error {
  override readonly name = 'TemplateParameterError';
}

export interface ResolvedTemplate {
  readonly thing?: {
    readonly thingName: string;
    readonly attributes: Readonly<Record<string, string>>;
    readonly thingGroups: readonly string[];
  };
  readonly certificate?: { readonly certificateId: string; readonly status: 'ACTIVE' | 'INACTIVE' };
  /** Policies to attach: existing ones by name, or inline documents (created as `<template>_<resource>`). */
  readonly policies: readonly ({ readonly policyName: string } | { readonly logicalId: string; readonly document: string })[];
  readonly deviceConfiguration: Readonly<Record<string, string>>;
}

const resourceTypes = ['AWS::IoT::Thing', 'AWS::IoT::Certificate', 'AWS::IoT::Policy'] as const;
const functions = ['Ref', 'Fn::Join', 'Fn::Sub', 'Fn::Select', 'Fn::Split'] as const;
/** AWS: a provisioning template body is at most 10,240 characters. */
export const maxTemplateBodyLength = 10_240;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses and checks a template body; throws TemplateBodyError naming what is wrong. */
export function parseTemplateBody(text: string): ProvisioningTemplateBody {
  if (text.length > maxTemplateBodyLength)
    throw new TemplateBodyError(`templateBody has ${text.length} characters; at most ${maxTemplateBodyLength}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TemplateBodyError('templateBody is not JSON');
  }
  if (!isObject(parsed)) throw new TemplateBodyError('templateBody must be a JSON object');
  const { Parameters: parameters = {}, Resources: resources, DeviceConfiguration: configuration = {} } = parsed;
  if (!isObject(parameters)) throw new TemplateBodyError('Parameters must be an object');
  for (const [name, definition] of Object.entries(parameters)) {
    if (!isObject(definition) || definition.Type !== 'String') throw new TemplateBodyError(`Parameter ${name} must have "Type": "String"`);
    if (definition.Default !== undefined && typeof definition.Default !== 'string')
      throw new TemplateBodyError(`Default of ${name} must be a string`);
  }
  if (!isObject(resources) || Object.keys(resources).length === 0) throw new TemplateBodyError('Resources must name at least one resource');
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !resourceTypes.includes(resource.Type as (typeof resourceTypes)[number])) {
      throw new TemplateBodyError(`Resource ${logicalId}: Type must be one of ${resourceTypes.join(', ')}`);
    }
    if (!isObject(resource.Properties)) throw new TemplateBodyError(`Resource ${logicalId}: Properties must be an object`);
    checkValue(resource.Properties, `Resources.${logicalId}`, Object.keys(parameters));
  }
  const types = Object.values(resources).map((r) => (r as { Type: string }).Type);
  for (const single of ['AWS::IoT::Thing', 'AWS::IoT::Certificate']) {
    if (types.filter((t) => t === single).length > 1) throw new TemplateBodyError(`A template has at most one ${single}`);
  }
  if (!isObject(configuration)) throw new TemplateBodyError('DeviceConfiguration must be an object');
  checkValue(configuration, 'DeviceConfiguration', Object.keys(parameters));
  return parsed as unknown as ProvisioningTemplateBody;
}

/** Checks every intrinsic function and `Ref` of a value against the template's parameters. */
function checkValue(value: unknown, where: string, parameters: readonly string[]): void {
  if (typeof value === 'string' || typeof value === 'boolean') return;
  if (Array.isArray(value)) return value.forEach((item, i) => checkValue(item, `${where}[${i}]`, parameters));
  if (!isObject(value)) throw new TemplateBodyError(`${where}: unexpected ${JSON.stringify(value)}`);
  const keys = Object.keys(value);
  const fn = keys.find((k) => k === 'Ref' || k.startsWith('Fn::'));
  if (fn === undefined) return keys.forEach((k) => checkValue(value[k], `${where}.${k}`, parameters));
  if (keys.length !== 1 || !functions.includes(fn as (typeof functions)[number])) {
    throw new TemplateBodyError(`${where}: ${fn} is not supported; use ${functions.join(', ')}`);
  }
  if (fn === 'Ref' && (typeof value.Ref !== 'string' || !parameters.includes(value.Ref))) {
    throw new TemplateBodyError(`${where}: Ref ${JSON.stringify(value.Ref)} names no parameter of the template`);
  }
  if (fn !== 'Ref') checkValue(value[fn], `${where}.${fn}`, parameters);
}

/** Resolves a template for one RegisterThing; throws TemplateParameterError for a missing parameter. */
export function resolveTemplate(body: ProvisioningTemplateBody, given: Readonly<Record<string, string>>): ResolvedTemplate {
  const values: Record<string, string> = {};
  for (const [name, definition] of Object.entries(body.Parameters ?? {})) {
    const value = given[name] ?? definition.Default;
    if (value !== undefined) values[name] = value;
  }
  const text = (value: TemplateValue | undefined, where: string): string => {
    const resolved = evaluate(value, values, where);
    if (typeof resolved !== 'string') throw new TemplateBodyError(`${where} must resolve to a string`);
    return resolved;
  };
  const strings = (record: unknown, where: string): Record<string, string> =>
    Object.fromEntries(Object.entries(isObject(record) ? record : {}).map(([k, v]) => [k, text(v as TemplateValue, `${where}.${k}`)]));

  let thing: ResolvedTemplate['thing'];
  let certificate: ResolvedTemplate['certificate'];
  const policies: ResolvedTemplate['policies'][number][] = [];
  for (const [logicalId, resource] of Object.entries(body.Resources)) {
    const p = resource.Properties;
    const where = `Resources.${logicalId}`;
    if (resource.Type === 'AWS::IoT::Thing') {
      const groups = evaluate(p.ThingGroups ?? [], values, `${where}.ThingGroups`);
      thing = {
        thingName: text(p.ThingName, `${where}.ThingName`),
        attributes: strings(p.AttributePayload, `${where}.AttributePayload`),
        thingGroups: Array.isArray(groups) ? groups.map(String) : [],
      };
    } else if (resource.Type === 'AWS::IoT::Certificate') {
      // AWS writes the status as Active or ACTIVE alike.
      const status = p.Status === undefined ? 'ACTIVE' : text(p.Status, `${where}.Status`).toUpperCase();
      certificate = {
        certificateId: text(p.CertificateId, `${where}.CertificateId`),
        status: status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
      };
    } else if (p.PolicyName !== undefined) {
      policies.push({ policyName: text(p.PolicyName, `${where}.PolicyName`) });
    } else {
      const document = p.PolicyDocument;
      policies.push({ logicalId, document: typeof document === 'string' ? text(document, where) : JSON.stringify(document) });
    }
  }
  return {
    ...(thing ? { thing } : {}),
    ...(certificate ? { certificate } : {}),
    policies,
    deviceConfiguration: strings(body.DeviceConfiguration, 'DeviceConfiguration'),
  };
}

type Resolved = string | Resolved[];

function evaluate(value: TemplateValue | undefined, parameters: Readonly<Record<string, string>>, where: string): Resolved {
  if (value === undefined) throw new TemplateBodyError(`${where} is missing`);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item: TemplateValue, i) => evaluate(item, parameters, `${where}[${i}]`));
  const [fn, argument] = Object.entries(value)[0] as [string, TemplateValue];
  const list = (v: Resolved, what: string): Resolved[] => {
    if (!Array.isArray(v)) throw new TemplateBodyError(`${where}: ${what} must be a list`);
    return v;
  };
  switch (fn) {
    case 'Ref': {
      const name = argument as string;
      const resolved = parameters[name];
      if (resolved === undefined) throw new TemplateParameterError(`Missing required parameter: ${name}`);
      return resolved;
    }
    case 'Fn::Join': {
      const [separator, items] = list(evaluate(argument, parameters, where), 'Fn::Join');
      return list(items ?? [], 'the second argument of Fn::Join')
        .map(String)
        .join(String(separator ?? ''));
    }
    case 'Fn::Sub': {
      const template = String(evaluate(argument, parameters, where));
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const resolved = parameters[name];
        if (resolved === undefined) throw new TemplateParameterError(`Missing required parameter: ${name}`);
        return resolved;
      });
    }
    case 'Fn::Select': {
      const [index, items] = list(evaluate(argument, parameters, where), 'Fn::Select');
      const picked = list(items ?? [], 'the second argument of Fn::Select')[Number(index)];
      if (picked === undefined) throw new TemplateParameterError(`${where}: Fn::Select index ${String(index)} is out of range`);
      return picked;
    }
    case 'Fn::Split': {
      const [separator, source] = list(evaluate(argument, parameters, where), 'Fn::Split');
      return String(source ?? '').split(String(separator ?? ''));
    }
    default:
      // Plain objects (AttributePayload, an inline PolicyDocument) are read field by field by the caller.
      throw new TemplateBodyError(`${where}: expected a string, found an object`);
  }
}
