import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * R-CON-2: every console string exists in fr-CA and en. The types already refuse a catalogue
 * whose `fr` lacks a key of its `en`; these checks add what types cannot see: no empty text, no
 * key shared by two catalogues (one would hide the other), the same placeholders in both
 * languages, and every key a page asks for defined.
 */
const UI = new URL('../../templates/console/ui/', import.meta.url).pathname;
const MESSAGES = join(UI, 'messages');
type Catalogue = { en: Record<string, string>; fr: Record<string, string> };

async function catalogues(): Promise<[string, Catalogue][]> {
  const files = readdirSync(MESSAGES).filter((f) => f.endsWith('.ts'));
  return Promise.all(files.map(async (f) => [f, (await import(join(MESSAGES, f))) as Catalogue] as [string, Catalogue]));
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'messages' ? [] : sourceFiles(join(dir, d.name))) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe('console catalogues (R-CON-2)', () => {
  it('have the same keys in fr-CA and en, none empty, with the same placeholders', async () => {
    for (const [file, { en, fr }] of await catalogues()) {
      expect(Object.keys(fr).sort(), file).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) {
        expect(en[key]!.trim(), `${file} en ${key}`).not.toBe('');
        expect(fr[key]!.trim(), `${file} fr ${key}`).not.toBe('');
        expect(placeholders(fr[key]!), `${file} ${key}`).toEqual(placeholders(en[key]!));
      }
    }
  });

  it('never define one key in two catalogues', async () => {
    const owner = new Map<string, string>();
    for (const [file, { en }] of await catalogues()) {
      for (const key of Object.keys(en)) {
        expect(owner.get(key), `${key} in ${file}`).toBeUndefined();
        owner.set(key, file);
      }
    }
    expect(owner.size).toBeGreaterThan(100);
  });

  it('define every literal key the console asks for', async () => {
    const keys = new Set((await catalogues()).flatMap(([, { en }]) => Object.keys(en)));
    const missing: string[] = [];
    for (const file of sourceFiles(UI)) {
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'/g)) if (!keys.has(key!)) missing.push(`${file}: ${key}`);
    }
    expect(missing).toEqual([]);
  });

  it('load with each area every catalogue its pages (and the pages they import) ask for', async () => {
    const all = new Map((await catalogues()).map(([file, c]) => [file.replace(/\.ts$/, ''), new Set(Object.keys(c.en))]));
    const routes = readFileSync(join(UI, 'routes.tsx'), 'utf8');
    const areas = [...routes.matchAll(/^\s+(\w+): \(\) => Promise\.all\(\[(.*)\]\),$/gm)];
    expect(areas.length).toBeGreaterThanOrEqual(8);
    const pagesOf = (page: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(page)) return seen;
      seen.add(page);
      const text = readFileSync(join(UI, 'pages', `${page}.tsx`), 'utf8');
      for (const [, other] of text.matchAll(/from '\.\/(\w+)\.js'/g)) pagesOf(other!, seen);
      return seen;
    };
    const problems: string[] = [];
    for (const [, area, imports] of areas) {
      const page = /import\('\.\/pages\/(\w+)\.js'\)/.exec(imports!)![1]!;
      const loaded = [...imports!.matchAll(/import\('\.\/messages\/(\w+)\.js'\)/g)].map((m) => m[1]!);
      const known = new Set([...all.get('common')!, ...all.get('local')!, ...loaded.flatMap((c) => [...all.get(c)!])]);
      for (const file of pagesOf(page)) {
        for (const [, key] of readFileSync(join(UI, 'pages', `${file}.tsx`), 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'/g)) {
          if (!known.has(key!)) problems.push(`${area}: pages/${file}.tsx asks for ${key}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('write French as Quebec does: "courriel", typographic apostrophes', async () => {
    for (const [file, { fr }] of await catalogues()) {
      for (const [key, text] of Object.entries(fr)) {
        const words = text.replace(/\{\w+\}/g, '');
        expect(words, `${file} ${key}`).not.toMatch(/\be-?mail\b/i);
        expect(words, `${file} ${key}`).not.toMatch(/[a-zé]'[a-zéèêàâ]/i);
      }
    }
  });
});
