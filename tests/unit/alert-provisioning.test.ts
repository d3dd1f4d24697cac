import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  ALERTING_DIR,
  alertEmailVariable,
  alertRulesFile,
  alertRuleUid,
  CONTACT_POINTS_FILE,
  contactPointName,
} from '../../dashboards/alert-rules.ts';
import { LANGS } from '../../domain/i18n/languages.ts';

/**
 * Grafana is not run here: the shipped alerting files are checked against Grafana's file
 * provisioning format (Grafana documentation, "Use configuration files to provision alerting
 * resources": apiVersion 1, `groups` of rules, `contactPoints`, `policies`), written out as strict
 * schemas, so an unknown or misspelt key fails as Grafana would ignore or refuse it.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const text = z.string().trim().min(1);
// Grafana's rule uids are at most 40 characters of letters, digits, "-" and "_".
const uid = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);
const duration = z.string().regex(/^\d+[smhd]$/);

const query = z.strictObject({
  refId: z.string().min(1),
  relativeTimeRange: z.strictObject({ from: z.number().int().positive(), to: z.number().int() }).optional(),
  datasourceUid: z.string().min(1),
  model: z.looseObject({ refId: z.string().min(1) }),
});

const ruleSchema = z.strictObject({
  uid,
  title: text,
  condition: z.string().min(1),
  data: z.array(query).min(1),
  noDataState: z.enum(['Alerting', 'NoData', 'OK', 'KeepLast']),
  execErrState: z.enum(['Alerting', 'Error', 'OK', 'KeepLast']),
  for: duration,
  annotations: z.strictObject({ summary: text, description: text }),
  labels: z.record(z.string(), z.string()),
});

const rulesFileSchema = z.strictObject({
  apiVersion: z.literal(1),
  groups: z
    .array(
      z.strictObject({
        orgId: z.number().int().positive(),
        name: text,
        folder: text,
        interval: duration,
        rules: z.array(ruleSchema).min(1),
      }),
    )
    .min(1),
});

const contactPointsFileSchema = z.strictObject({
  apiVersion: z.literal(1),
  contactPoints: z.array(
    z.strictObject({
      orgId: z.number().int().positive(),
      name: text,
      receivers: z.array(
        z.strictObject({
          uid,
          type: z.literal('email'),
          settings: z.strictObject({
            addresses: text,
            singleEmail: z.boolean(),
            subject: text,
            message: text,
          }),
          disableResolveMessage: z.boolean(),
        }),
      ),
    }),
  ),
  policies: z.array(
    z.strictObject({
      orgId: z.number().int().positive(),
      receiver: text,
      group_by: z.array(z.string()),
      group_wait: duration,
      group_interval: duration,
      repeat_interval: duration,
      routes: z.array(
        z.strictObject({ receiver: text, matchers: z.array(z.string().regex(/^\w+ (=|!=|=~|!~) \S+$/)) }),
      ),
    }),
  ),
});

type RulesFile = z.infer<typeof rulesFileSchema>;

function read(path: string): unknown {
  return parseYaml(readFileSync(join(ROOT, path), 'utf8'));
}

const files = Object.fromEntries(LANGS.map((lang) => [lang, read(alertRulesFile(lang))])) as Record<
  (typeof LANGS)[number],
  unknown
>;

describe('Grafana is not run here: the alerting files we ship, checked against the file provisioning format', () => {
  it('ships one rule file per language and the contact points, nothing else', () => {
    expect(readdirSync(join(ROOT, ALERTING_DIR)).sort()).toEqual(
      [...LANGS.map((lang) => alertRulesFile(lang)), CONTACT_POINTS_FILE]
        .map((p) => p.split('/').at(-1))
        .sort(),
    );
  });

  it('every rule file parses as Grafana alert-rule provisioning; rule uids and group names are unique across languages', () => {
    const parsed = LANGS.map((lang) => rulesFileSchema.parse(files[lang]));
    const allRules = parsed.flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(new Set(allRules.map((r) => r.uid)).size).toBe(allRules.length);
    const groups = parsed.flatMap((f) => f.groups.map((g) => `${g.folder}/${g.name}`));
    expect(new Set(groups).size).toBe(groups.length);
    for (const rule of allRules) expect(rule.data.map((d) => d.refId)).toContain(rule.condition);
  });

  it('every rule has its title, summary and description in English, French and Chinese, same query and threshold', () => {
    const [en, ...others] = LANGS.map((lang) => (files[lang] as RulesFile).groups.flatMap((g) => g.rules));
    expect(en?.length).toBeGreaterThan(0);
    for (const rule of en ?? []) {
      expect(rule.labels.lang).toBe('en');
      LANGS.slice(1).forEach((lang, i) => {
        const other = others[i]?.find((r) => r.uid === alertRuleUid(rule.uid, lang));
        expect(other, `${rule.uid} in ${lang}`).toBeDefined();
        expect(other?.labels).toEqual({ ...rule.labels, lang });
        expect(other?.data).toEqual(rule.data);
        // Translated: a city name is the same in all, the rest of the title is not.
        expect(other?.title, `${rule.uid} ${lang}`).not.toBe(rule.title);
        expect(other?.annotations.summary).toBe(other?.title);
        expect(other?.annotations.description).not.toBe(rule.annotations.description);
      });
    }
    const zh = (files.zh as RulesFile).groups.flatMap((g) => g.rules);
    for (const rule of zh) expect(rule.title, rule.uid).toMatch(/[\u4e00-\u9fff]/);
  });

  it('the example contact points speak each language and the policy routes each language to its own', () => {
    const file = contactPointsFileSchema.parse(read(CONTACT_POINTS_FILE));
    expect(file.contactPoints.map((c) => c.name)).toEqual(LANGS.map(contactPointName));
    for (const lang of LANGS) {
      const receiver = file.contactPoints.find((c) => c.name === contactPointName(lang))?.receivers[0];
      expect(receiver?.settings.addresses).toBe(`$${alertEmailVariable(lang)}`);
    }
    const subjects = file.contactPoints.map((c) => c.receivers[0]?.settings.subject);
    expect(new Set(subjects).size).toBe(LANGS.length);
    expect(subjects[2]).toMatch(/[\u4e00-\u9fff]/);
    const routes = file.policies[0]?.routes ?? [];
    for (const lang of LANGS) {
      expect(routes).toContainEqual({
        receiver: contactPointName(lang),
        matchers: ['team = ucap', `lang = ${lang}`],
      });
    }
  });
});
