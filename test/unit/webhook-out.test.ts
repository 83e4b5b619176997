import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SsmWebhookSecrets } from '../../shared/adapters/ssm/webhook-secrets.js';
import { ValidationError } from '../../shared/domain/errors.js';
import { checkWebhookUrl, newWebhookSecret, webhookSignature } from '../../shared/use-cases/webhooks-out.js';
import { retryScheduleName } from '../../shared/use-cases/retries.js';

/** R-EVT-1: the pieces of the outbound webhook that need no cloud (the e2e file drives the rest). */
describe('R-EVT-1: outbound webhook pieces', () => {
  it('R-EVT-1: signs per Standard Webhooks (the specification\'s own example vector)', () => {
    expect(webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
    expect(webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265331, '{"test": 2432232314}')).not.toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('R-EVT-1: a new secret is whsec_ and 32 random bytes, different each time', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('R-EVT-1: only https to a public host, unless the local flag allows a loopback http receiver; each refusal names url', () => {
    const refused = [
      'http://hooks.example.org/x',
      'ws://hooks.example.org/x',
      'https://localhost/x',
      'https://api.localhost/x',
      'https://127.0.0.1/x',
      'https://10.0.0.8/x',
      'https://172.20.1.1/x',
      'https://192.168.1.1/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://u:p@hooks.example.org/x',
      'https://hooks.example.org/x#frag',
      '/relative',
    ];
    for (const url of refused) {
      let error: unknown;
      try {
        checkWebhookUrl({}, url);
      } catch (e) {
        error = e;
      }
      expect(error, url).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details[0]!.field, url).toBe('url');
    }
    expect(checkWebhookUrl({}, 'https://hooks.example.org:8443/relance?k=1')).toBe('https://hooks.example.org:8443/relance?k=1');
    expect(checkWebhookUrl({}, 'https://172.32.0.1/x')).toBe('https://172.32.0.1/x');
    expect(() => checkWebhookUrl({}, 'http://127.0.0.1:9000/x')).toThrow(ValidationError);
    expect(checkWebhookUrl({ WEBHOOK_ALLOW_HTTP: 'loopback' }, 'http://127.0.0.1:9000/x')).toBe('http://127.0.0.1:9000/x');
    expect(() => checkWebhookUrl({ WEBHOOK_ALLOW_HTTP: 'loopback' }, 'http://10.0.0.1:9000/x')).toThrow(ValidationError);
  });

  it('R-EVT-1: retry schedules of deliveries have names of their own (whk-<event>-t<try>)', () => {
    expect(retryScheduleName('webhook', 'dev_X', 2)).toBe('whk-dev_X-t2');
    expect(retryScheduleName('mail', 'eml_X', 2)).toBe('mail-eml_X-t2');
    expect(retryScheduleName('payment', 'inv_X.c1', 2)).toBe('pay-inv_X.c1-t2');
  });

  it('R-EVT-1: the secret is one SecureString under the stage\'s secrets path (the IAM grant relance/<stage>/stripe/*), read again when its id changes, overwritten on removal', async () => {
    const stored = new Map<string, string>();
    const calls: string[] = [];
    const ssm = {
      send: async (command: unknown) => {
        if (command instanceof PutParameterCommand) {
          calls.push(`put ${command.input.Name} ${command.input.Type}`);
          stored.set(command.input.Name!, command.input.Value!);
          return {};
        }
        if (command instanceof GetParameterCommand) {
          calls.push(`get ${command.input.Name}`);
          const value = stored.get(command.input.Name!);
          if (value === undefined) throw new ParameterNotFound({ message: 'not found', $metadata: {} });
          return { Parameter: { Value: value } };
        }
        throw new Error('unexpected command');
      },
    } as unknown as SSMClient;
    const writer = new SsmWebhookSecrets(ssm, '/relance/prod/stripe');
    const reader = new SsmWebhookSecrets(ssm, '/relance/prod/stripe');
    expect(await reader.get('demo-club', 'whs_1')).toBeNull();
    await writer.put('demo-club', { secretId: 'whs_1', secret: 'whsec_AAAA' });
    const name = '/relance/prod/stripe/webhook-out.demo-club';
    expect(calls).toContain(`put ${name} SecureString`);
    expect(name.startsWith('/relance/prod/stripe/')).toBe(true);
    expect(await reader.get('demo-club', 'whs_1')).toEqual({ secretId: 'whs_1', secret: 'whsec_AAAA' });
    const gets = calls.filter((c) => c.startsWith('get')).length;
    expect(await reader.get('demo-club', 'whs_1')).not.toBeNull();
    expect(calls.filter((c) => c.startsWith('get')).length).toBe(gets);
    await writer.put('demo-club', { secretId: 'whs_2', secret: 'whsec_BBBB' });
    expect(await reader.get('demo-club', 'whs_2')).toEqual({ secretId: 'whs_2', secret: 'whsec_BBBB' });
    await writer.erase('demo-club');
    expect(stored.get(name)).not.toContain('whsec_');
    expect(await new SsmWebhookSecrets(ssm, '/relance/prod/stripe').get('demo-club', 'whs_2')).toBeNull();
  });
});
