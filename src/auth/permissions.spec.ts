import { holdsPermission, missingPermissions } from './permissions';

describe('holdsPermission', () => {
  it.each([
    [['fe.secure.read.roles'], 'fe.secure.read.roles', true],
    [['fe.secure.*'], 'fe.secure.read.roles', true],
    [['fe.*'], 'fe.secure.write.users', true],
    [['*'], 'anything.at.all', true],
    [['fe.secure.read.roles'], 'fe.secure.write.roles', false],
    [['fe.secure.read.*'], 'fe.secure.write.roles', false],
    // A wildcard covers keys below its prefix only, never a sibling sharing the same letters.
    [['fe.sec.*'], 'fe.secure.read.roles', false],
    [['fe.secure*'], 'fe.secure.read.roles', false],
    [['fe.secure.read.roles.*'], 'fe.secure.read.roles', false],
    [[], 'fe.secure.read.roles', false],
  ])('%j grants %s: %s', (granted, required, expected) => {
    expect(holdsPermission(granted, required)).toBe(expected);
  });
});

describe('missingPermissions', () => {
  it('lists the keys not covered, in order', () => {
    expect(missingPermissions(['fe.secure.read.*'], ['fe.secure.write.roles', 'fe.secure.read.users', 'app.x'])).toEqual([
      'fe.secure.write.roles',
      'app.x',
    ]);
  });
});
