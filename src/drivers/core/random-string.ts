import { randomInt } from 'node:crypto';
import { RANDOM_STRING_CHARACTER_SETS } from '../../template/catalog/random-string.js';
import { PermanentDriverError, type ElementDriver } from '../types.js';

/**
 * CTC.Core.RandomString: a secret generated once and kept with the stack. Nothing exists outside
 * the stack's own rows, so delete has nothing to remove and a retried create may draw again.
 */
export const randomStringDriver: ElementDriver = {
  type: 'CTC.Core.RandomString',
  quick: true,
  async create(ctx, properties) {
    const length = typeof properties.length === 'number' ? properties.length : 32;
    const named = typeof properties.characters === 'string' ? properties.characters : 'alphanumeric';
    const alphabet = RANDOM_STRING_CHARACTER_SETS[named] ?? named;
    if (!Number.isInteger(length) || length < 1 || length > 4096) throw new PermanentDriverError(`length must be 1..4096, got ${length}`, 'BadProperty');
    if (alphabet.length === 0) throw new PermanentDriverError('the character set is empty', 'BadProperty');
    let value = '';
    for (let i = 0; i < length; i++) value += alphabet[randomInt(alphabet.length)];
    return { physicalId: `${ctx.stackId}/${ctx.element}`, attributes: { value } };
  },
  async delete() {
    // Only the stack's own rows hold the value: they go with the element.
  },
  async health() {
    return { health: 'HEALTHY' };
  },
};
