// Problem paths are written the way a user reads a template: `node_templates.nginx-app.properties.instances`,
// with list items as `ports[0]`. Keys that would make such a path ambiguous are quoted.

export type PathSegment = string | number;

const PLAIN_KEY = /^[^.[\]"\s]+$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The key under which a position is stored: stable and cheap, unlike the display form. */
export function pathKey(segments: readonly PathSegment[]): string {
  return formatPath(segments);
}
