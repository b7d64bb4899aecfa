/**
 * The MOV aliases (Arm ARM C6.2 MOV (register), MOV (to/from SP), MOV (wide immediate),
 * MOV (inverted wide immediate), MOV (bitmask immediate)). Their order is GNU as's choice for
 * assembly: a register move is ORR unless SP is involved (then ADD #0); an immediate is MOVZ
 * if possible, else MOVN, else ORR with a bitmask immediate.
 */
import { alias, bothSizes, x } from './form.js';
import { field } from './bits.js';
import { reg } from './kinds-reg.js';
import { movnAlias, movnPreferred, movOrrAlias, movzAlias, movzPreferred, orrMovPreferred } from './kinds-logical.js';
import type { Form } from './types.js';

const spInvolved = (w: number): boolean => field(w, 0, 5) === 31 || field(w, 5, 5) === 31;

export function movAliases(): Form[] {
  return bothSizes((sf, size) => [
    alias('mov', `${sf}0101010 000 ${x(5)} 000000 11111 ${x(5)}`, [reg(size, 0), reg(size, 16)]),
    alias('mov', `${sf}00100010 0 000000000000 ${x(10)}`, [reg(size, 0, 'sp'), reg(size, 5, 'sp')], spInvolved),
    alias('mov', `${sf}10100101 ${sf === '1' ? 'xx' : '0x'} ${x(21)}`, [reg(size, 0), movzAlias(size)], movzPreferred),
    alias('mov', `${sf}00100101 ${sf === '1' ? 'xx' : '0x'} ${x(21)}`, [reg(size, 0), movnAlias(size)], movnPreferred(size)),
    alias('mov', `${sf}01100100 ${sf === '1' ? 'x' : '0'} ${x(12)} 11111 ${x(5)}`, [reg(size, 0, 'sp'), movOrrAlias(size)], orrMovPreferred(size)),
  ]);
}
