/**
 * Thing attributes typed in one text field: `site=lyon floor=2`. AWS IoT allows no space in an
 * attribute's name or value (core's thing-attributes.ts), so spaces separate them and nothing needs
 * quoting. The device list reads conditions (`name=value` or `name` alone); registration reads
 * assignments (`name=value` only).
 */
import { isPlatformThingAttribute, parseAttributeFilter, platformThingAttributes } from '@fleet/core';

const wordsOf = (text: string) => text.split(/\s+/).filter((w) => w !== '');

/** The attribute conditions of a text such as `site=lyon floor`; `invalid` holds the words that are none. */
export function parseAttributeConditions(text: string): { readonly valid: string[]; readonly invalid: string[] } {
  const words = wordsOf(text);
  return {
    valid: [...new Set(words.filter((w) => parseAttributeFilter(w)))],
    invalid: words.filter((w) => !parseAttributeFilter(w)),
  };
}

/** The attributes a text such as `site=lyon floor=2` gives a device; throws, saying which word is wrong, for any other text. */
export function parseAttributeAssignments(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const word of wordsOf(text)) {
    const condition = parseAttributeFilter(word);
    if (condition?.value === undefined) {
      throw new Error(
        `"${word.slice(0, 80)}" is no attribute: write name=value (letters, digits and _ . , @ / : # - ; a value may also hold = [ ]), separated by spaces`,
      );
    }
    if (isPlatformThingAttribute(condition.name)) {
      throw new Error(
        `"${condition.name}" is set by Fleet itself (${Object.values(platformThingAttributes).join(', ')}): choose another name`,
      );
    }
    Object.defineProperty(attributes, condition.name, { value: condition.value, enumerable: true, writable: true, configurable: true });
  }
  return attributes;
}

/** A device's own attributes (Fleet's `owner` and `name` aside), as `[name, value]` pairs in the thing's order. */
export function ownAttributes(attributes: Readonly<Record<string, string>> | undefined): [string, string][] {
  return Object.entries(attributes ?? {}).filter(([name]) => !isPlatformThingAttribute(name));
}

/** The text `parseAttributeAssignments` reads back into the same attributes: `site=lyon floor=2`. */
export const attributeAssignmentsText = (attributes: Readonly<Record<string, string>> | undefined): string =>
  ownAttributes(attributes)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
