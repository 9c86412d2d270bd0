import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { Lexer, type Token, type Tokens } from 'marked';

/**
 * Issue 19 item 2: the README is the front door (at most 150 lines) and everything else lives in docs/.
 * Every relative link of the README, SECURITY.md and the docs pages reaches a file, every `#anchor` a
 * heading of its target (by GitHub's slug rules), and every docs page is reachable from the README.
 */
const ROOT = join(__dirname, '..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const README_MAX_LINES = 150;

const docsPages = (): string[] =>
  existsSync(DOCS)
    ? readdirSync(DOCS)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => join(DOCS, name))
    : [];
const markdownFiles = (): string[] => [README, join(ROOT, 'SECURITY.md'), join(ROOT, 'clients', 'typescript', 'README.md'), ...docsPages()];

const parsed = new Map<string, Token[]>();
function tokensOf(file: string): Token[] {
  let tokens = parsed.get(file);
  if (!tokens) {
    tokens = new Lexer({ gfm: true }).lex(readFileSync(file, 'utf8'));
    parsed.set(file, tokens);
  }
  return tokens;
}

/** Every token of a document, depth first: lists, tables, quotes and inline text included. */
function* walk(tokens: readonly Token[]): Generator<Token> {
  for (const token of tokens) {
    yield token;
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) yield* walk(cell.tokens);
    } else if (token.type === 'list') {
      yield* walk((token as Tokens.List).items);
    } else if ('tokens' in token && Array.isArray(token.tokens)) {
      yield* walk(token.tokens);
    }
  }
}

/** The text a heading shows, which GitHub slugs: code spans without their backticks, links by their text. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => ('tokens' in token && Array.isArray(token.tokens) ? plainText(token.tokens) : 'text' in token ? String(token.text) : ''))
    .join('');
}

function anchorsOf(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const token of walk(tokensOf(file))) {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
  }
  return anchors;
}

interface Link {
  from: string;
  href: string;
}

function linksOf(file: string): Link[] {
  const links: Link[] = [];
  for (const token of walk(tokensOf(file))) {
    if (token.type === 'link' || token.type === 'image') links.push({ from: file, href: (token as Tokens.Link).href });
  }
  return links;
}

/** Links into this repository: no scheme (http:, mailto:, …) and not protocol-relative. */
const isRelative = (href: string): boolean => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//');

/** The file a relative link reaches (the linking file itself for `#anchor`), and its anchor. */
function target(link: Link): { file: string; anchor: string | undefined } {
  const [path, anchor] = link.href.split('#', 2);
  const file = path ? resolve(dirname(link.from), decodeURIComponent(path)) : link.from;
  return { file, anchor: anchor === undefined ? undefined : decodeURIComponent(anchor) };
}

const shown = (file: string): string => relative(ROOT, file);

describe('the README, the front door', () => {
  it(`is at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(README, 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('links every docs/ page', () => {
    const reached = new Set(linksOf(README).filter((link) => isRelative(link.href)).map((link) => target(link).file));
    const pages = docsPages();
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((page) => !reached.has(page)).map(shown)).toEqual([]);
  });
});

describe('README.md, SECURITY.md and docs/*.md', () => {
  it('have relative links that reach an existing file, and anchors that name a heading of it', () => {
    const broken: string[] = [];
    for (const link of markdownFiles().flatMap(linksOf)) {
      if (!isRelative(link.href)) continue;
      const { file, anchor } = target(link);
      if (!existsSync(file)) {
        broken.push(`${shown(link.from)}: ${link.href} (no such file)`);
      } else if (anchor !== undefined) {
        if (!file.endsWith('.md') || statSync(file).isDirectory()) broken.push(`${shown(link.from)}: ${link.href} (an anchor into a file without headings)`);
        else if (!anchorsOf(file).has(anchor)) broken.push(`${shown(link.from)}: ${link.href} (no heading #${anchor} in ${shown(file)})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('each docs page opens with its title and a one-paragraph summary', () => {
    const pages = docsPages();
    expect(pages.length).toBeGreaterThan(0);
    const malformed = pages.filter((page) => {
      const [title, summary] = tokensOf(page).filter((token) => token.type !== 'space');
      return !(title?.type === 'heading' && (title as Tokens.Heading).depth === 1 && summary?.type === 'paragraph');
    });
    expect(malformed.map(shown)).toEqual([]);
  });
});
