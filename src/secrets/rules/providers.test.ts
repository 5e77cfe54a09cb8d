/**
 * Realistic (generated, not real) samples of where provider keys usually sit, in their current and
 * older formats: service-account JSON files with the PEM key on one line (`\n` escaped), mail, chat
 * and payment providers. Each must be found by the provider's own rule.
 */
import { describe, expect, it } from 'vitest';
import { SecretEngine } from '../engine.js';
import { expandTemplate } from '../test-support/fake.js';

const engine = new SecretEngine();
const x = (template: string): string => expandTemplate(template, 'providers');

/** A PKCS#8 key body as `openssl` writes it: 64-character base64 lines. */
const pemLines = (label: string, seed: string): string[] => [
  `-----BEGIN ${label}-----`,
  ...Array.from({ length: 20 }, (_, i) => expandTemplate('{b:64}', `${seed}-${i}`)),
  `${expandTemplate('{b:40}', `${seed}-end`)}==`,
  `-----END ${label}-----`,
];

const serviceAccount = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'shop-prod-4821',
    private_key_id: x('{h:40}'),
    private_key: `${pemLines('PRIVATE KEY', 'gcp').join('\n')}\n`,
    client_email: 'deployer@shop-prod-4821.iam.gserviceaccount.com',
    client_id: x('{d:21}'),
    token_uri: 'https://oauth2.googleapis.com/token',
  },
  null,
  2,
);

const CASES: [string, string, string][] = [
  ['GCP service-account JSON (escaped newlines)', serviceAccount, 'private-key-pkcs8'],
  [
    'RSA key in YAML, double-quoted with \\n',
    `tls:\n  key: "${pemLines('RSA PRIVATE KEY', 'yaml').join('\\n')}\\n"\n`,
    'private-key-rsa',
  ],
  [
    'EC key in a .env value with literal \\n',
    `JWT_PRIVATE_KEY="${pemLines('EC PRIVATE KEY', 'env').join('\\n')}"\n`,
    'private-key-ec',
  ],
  // mail
  ['SendGrid', `SENDGRID_API_KEY=SG.${x('{B:22}')}.${x('{B:43}')}`, 'sendgrid-api-key'],
  ['Mailgun, old key- format', `MAILGUN_API_KEY=key-${x('{h:32}')}`, 'mailgun-private-api-key'],
  [
    'Mailgun, current format',
    `mailgun_key: ${x('{h:32}')}-${x('{h:8}')}-${x('{h:8}')}`,
    'mailgun-private-api-key',
  ],
  ['Mailchimp', `MAILCHIMP_API_KEY=${x('{h:32}')}-us21`, 'mailchimp-api-key'],
  ['Mandrill', `MANDRILL_KEY=md-${x('{B:22}')}`, 'mandrill-api-key'],
  // chat
  ['Slack bot token', `SLACK_BOT_TOKEN=xoxb-${x('{d:12}')}-${x('{d:13}')}-${x('{A:24}')}`, 'slack-bot-token'],
  [
    'Slack user token',
    `token = "xoxp-${x('{d:11}')}-${x('{d:11}')}-${x('{d:13}')}-${x('{h:32}')}"`,
    'slack-user-token',
  ],
  ['Slack legacy workspace token', `SLACK_TOKEN=xoxs-${x('{d:10}')}-${x('{A:32}')}`, 'slack-legacy-token'],
  [
    'Slack old-style incoming webhook',
    `webhook: https://hooks.slack.com/services/T${x('{U:8}')}/B${x('{U:8}')}/${x('{A:24}')}`,
    'slack-webhook-url',
  ],
  ['Discord bot token', `DISCORD_TOKEN=M${x('{A:25}')}.${x('{B:6}')}.${x('{B:38}')}`, 'discord-bot-token'],
  [
    'Discord webhook (discordapp.com)',
    `url = "https://discordapp.com/api/webhooks/${x('{d:18}')}/${x('{B:68}')}"`,
    'discord-webhook-url',
  ],
  ['Telegram bot token', `TELEGRAM_BOT_TOKEN=${x('{d:10}')}:AA${x('{B:33}')}`, 'telegram-bot-token'],
  // payment
  [
    'Stripe live secret key, old 24-character body',
    `stripe.api_key = "sk_live_${x('{A:24}')}"`,
    'stripe-live-secret-key',
  ],
  ['Stripe live secret key, current', `STRIPE_SECRET_KEY=sk_live_${x('{A:99}')}`, 'stripe-live-secret-key'],
  ['Stripe restricted key', `STRIPE_KEY=rk_live_${x('{A:24}')}`, 'stripe-live-restricted-key'],
  ['Square legacy access token', `SQUARE_TOKEN=sq0atp-${x('{B:22}')}`, 'square-legacy-access-token'],
  ['Square legacy app secret', `SQUARE_SECRET=sq0csp-${x('{B:43}')}`, 'square-oauth-secret'],
  ['Square current access token', `SQUARE_ACCESS_TOKEN=EAAA${x('{B:60}')}`, 'square-access-token'],
  [
    'Braintree / PayPal access token',
    `BT_TOKEN=access_token$production$${x('{l:16}')}$${x('{h:32}')}`,
    'braintree-access-token',
  ],
  ['PayPal REST client secret', `PAYPAL_CLIENT_SECRET=${x('{B:80}')}`, 'paypal-client-secret'],
];

describe('provider key formats, current and older', () => {
  it.each(CASES)('%s', (_name, text, ruleId) => {
    const found = engine.scanText(text).map((f) => f.ruleId);
    expect(found).toContain(ruleId);
    // One value is one finding: no second (generic) rule on the same secret.
    expect(found.filter((id) => id === ruleId)).toHaveLength(1);
    expect(found).toHaveLength(1);
  });
});
