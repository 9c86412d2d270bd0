import { fronteggRequestSchemas } from './schemas/frontegg.schemas';
import { createAjv, describeValidationErrors, isJsonObjectString } from './validation';

describe('isJsonObjectString', () => {
  it.each([
    ['{}', true],
    ['{"a":1}', true],
    ['[]', false],
    ['null', false],
    ['"text"', false],
    ['{not json', false],
  ])('%s -> %s', (text, expected) => {
    expect(isJsonObjectString(text)).toBe(expected);
  });
});

describe('describeValidationErrors', () => {
  const validate = createAjv().compile(fronteggRequestSchemas.updateVendorUser);
  const messagesFor = (body: unknown) => (validate(body) ? [] : describeValidationErrors(validate.errors ?? []));

  it('accepts a valid partial update', () => {
    expect(messagesFor({ phoneNumber: '+972-54-123-4567', metadata: '{"a":1}', profilePictureUrl: null })).toEqual([]);
  });

  it('words each problem readably, naming the field', () => {
    expect(messagesFor({ phoneNumber: '0541234567', metadata: '[]', name: 5, superUser: true })).toEqual([
      'property superUser should not exist',
      expect.stringMatching(/^phoneNumber must match pattern/),
      'metadata must be a string holding a JSON object',
      'name must be string',
    ]);
  });

  it('names a missing property and a nested field', () => {
    const validateRoles = createAjv().compile(fronteggRequestSchemas.addRoles);
    validateRoles([{ key: 'k', name: 'n', level: -1 }, { name: 'n', level: 1 }]);
    expect(describeValidationErrors(validateRoles.errors ?? [])).toEqual(['0.level must be >= 0', '1.key is required']);
  });

  it('profilePictureUrl is limited to 4095 characters', () => {
    expect(messagesFor({ profilePictureUrl: `https://x.test/${'a'.repeat(4096)}` })).toEqual([
      'profilePictureUrl must NOT have more than 4095 characters',
    ]);
  });
});
