import { invalidArgument } from '@headstart/errors';

// The registry's naming rules, checked here too so a bad name fails before an upload streams in or a
// job starts, not at the final commit. The registry stays the authority (it checks again).
const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$/;
const MAX_TAGS = 64;
const MAX_DESCRIPTION_CHARS = 4096;

export function validateModelName(name: string, field: string): string {
  if (name === '') throw invalidArgument(`${field} is required`, { field });
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw invalidArgument(
      `${field} ${JSON.stringify(name)} is invalid: use 1-128 characters of a-z, 0-9, '.', '_', '-', ` +
        'starting with a letter or digit',
      { field },
    );
  }
  return name;
}

export function validateTags(tags: readonly string[], field = 'tags'): string[] {
  tags.forEach((tag, i) => {
    if (!TAG_PATTERN.test(tag)) {
      throw invalidArgument(
        `${field}[${i}] ${JSON.stringify(tag)} is invalid: use 1-64 characters of letters, digits, ` +
          "'.', '_', '-', ':', '=', '/', starting with a letter or digit",
        { field },
      );
    }
  });
  const unique = [...new Set(tags)].sort();
  if (unique.length > MAX_TAGS) throw invalidArgument(`${field}: at most ${MAX_TAGS} tags`, { field });
  return unique;
}

export function validateDescription(text: string, field = 'description'): string {
  if (text.length > MAX_DESCRIPTION_CHARS) {
    throw invalidArgument(`${field} is longer than ${MAX_DESCRIPTION_CHARS} characters`, { field });
  }
  return text;
}
