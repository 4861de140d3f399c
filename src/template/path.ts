// Problem paths are written the way a user reads a template: `node_templates.nginx-app.properties.instances`,
// with list items as `ports[0]`. Keys that would make such a path ambiguous are quoted.

export type PathSegment = string | number;

const PLAIN_KEY = /^[^.[\]"\s]+$/;
/**
 * Keys longer than this are shown cut in paths and messages: no valid name is that long, and a
 * problem must not repeat a huge key (one 500 KB key above 8 000 problems would be 4 GB of text).
 */
export const MAX_SHOWN_NAME = 128;

/** A name as messages and paths show it: cut to MAX_SHOWN_NAME characters. */
export function shownName(name: string): string {
  return name.length > MAX_SHOWN_NAME ? `${name.slice(0, MAX_SHOWN_NAME - 1)}…` : name;
}

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = shownName(segment);
      if (PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
