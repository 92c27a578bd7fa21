import { randomBytes } from 'node:crypto';

/**
 * Ids that sort by creation time (a base-36 millisecond stamp, fixed width) and are unique across
 * processes (64 random bits): `ft_…` for fine-tune jobs, `tr_…` for triggers, `st_…` for studies.
 */
function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

export const newFinetuneId = (): string => newId('ft');
export const newTriggerId = (): string => newId('tr');
export const newStudyId = (): string => newId('st');
