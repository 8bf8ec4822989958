import { checkSigV4Shape } from './sigv4-shape';

const good = {
  authorization: `AWS4-HMAC-SHA256 Credential=AKIAEMULATOREXAMPLE1/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0f'.repeat(32)}`,
  'x-amz-date': '20260101T000000Z',
};

describe('checkSigV4Shape', () => {
  it('accepts a well-formed header scoped to the endpoint', () => {
    expect(checkSigV4Shape(good, 'us-east-1')).toEqual({ ok: true, accessKeyId: 'AKIAEMULATOREXAMPLE1', date: '20260101', region: 'us-east-1' });
  });

  it('names what AWS would reject', () => {
    expect(checkSigV4Shape({}, 'us-east-1')).toMatchObject({ ok: false, errorType: 'MissingAuthenticationTokenException' });
    expect(checkSigV4Shape({ ...good, authorization: good.authorization.replace(/Signature=\w+/, 'Signature=xyz') }, 'us-east-1')).toMatchObject({ errorType: 'IncompleteSignatureException' });
    expect(checkSigV4Shape({ ...good, 'x-amz-date': '20251231T235959Z' }, 'us-east-1')).toMatchObject({ errorType: 'IncompleteSignatureException' });
    expect(checkSigV4Shape(good, 'eu-west-1')).toMatchObject({ errorType: 'InvalidSignatureException', message: expect.stringContaining('valid region') });
    expect(checkSigV4Shape(good, 'us-east-1', 's3')).toMatchObject({ errorType: 'InvalidSignatureException' });
    expect(checkSigV4Shape({ ...good, authorization: good.authorization.replace('host;', '') }, 'us-east-1')).toMatchObject({ errorType: 'InvalidSignatureException' });
  });
});
