// The little DOM that d3 draws the charts in. jsdom (through d3-node) took most of a run's
// start-up to load, for a document of which the charts use elements, attributes and text. The
// markup is what jsdom's HTML serializer (parse5) writes for the same tree, byte for byte.

const xhtmlNamespace = 'http://www.w3.org/1999/xhtml';
const attributePrefixes: Record<string, string> = {
  'http://www.w3.org/XML/1998/namespace': 'xml:',
  'http://www.w3.org/1999/xlink': 'xlink:',
  'http://www.w3.org/2000/xmlns/': 'xmlns:',
};
// Text inside these is written as it is (HTML raw text); anywhere else it is escaped.
const rawTextParents = new Set(['style', 'script', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext', 'noscript']);
/** `node.compareDocumentPosition(other)` when other comes after node. */
const following = 4;
const preceding = 2;

class TextNode {
  readonly nodeType = 3;
  parentNode: ChartElement | null = null;
  constructor(readonly data: string) {}
}

/** An element as d3-selection and d3-axis use it. */
export class ChartElement {
  readonly nodeType = 1;
  parentNode: ChartElement | null = null;
  readonly childNodes: (ChartElement | TextNode)[] = [];
  /** By the name they are written with, in the order they were first set (as the DOM keeps them). */
  private readonly attributes = new Map<string, string>();

  constructor(
    readonly ownerDocument: ChartDocument,
    readonly namespaceURI: string,
    readonly localName: string,
  ) {}

  get tagName(): string {
    return this.localName;
  }

  get firstChild(): ChartElement | TextNode | null {
    return this.childNodes[0] ?? null;
  }

  get nextSibling(): ChartElement | TextNode | null {
    const siblings = this.parentNode?.childNodes;
    return siblings === undefined ? null : (siblings[siblings.indexOf(this) + 1] ?? null);
  }

  appendChild<Child extends ChartElement | TextNode>(child: Child): Child {
    return this.insertBefore(child, null);
  }

  insertBefore<Child extends ChartElement | TextNode>(child: Child, before: ChartElement | TextNode | null): Child {
    child.parentNode?.removeChild(child);
    const index = before === null ? -1 : this.childNodes.indexOf(before);
    if (index < 0) this.childNodes.push(child);
    else this.childNodes.splice(index, 0, child);
    child.parentNode = this;
    return child;
  }

  removeChild<Child extends ChartElement | TextNode>(child: Child): Child {
    const index = this.childNodes.indexOf(child);
    if (index >= 0) this.childNodes.splice(index, 1);
    child.parentNode = null;
    return child;
  }

  setAttribute(name: string, value: unknown): void {
    this.attributes.set(name, String(value));
  }

  setAttributeNS(namespace: string | null, name: string, value: unknown): void {
    this.attributes.set(writtenName(namespace, name), String(value));
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }

  getAttributeNS(namespace: string | null, name: string): string | null {
    return this.attributes.get(writtenName(namespace, name)) ?? null;
  }

  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }

  removeAttributeNS(namespace: string | null, name: string): void {
    this.attributes.delete(writtenName(namespace, name));
  }

  get textContent(): string {
    return this.childNodes.map((child) => (child instanceof TextNode ? child.data : child.textContent)).join('');
  }

  set textContent(value: unknown) {
    for (const child of this.childNodes) child.parentNode = null;
    this.childNodes.length = 0;
    const text = value === null || value === undefined ? '' : String(value);
    if (text !== '') this.appendChild(new TextNode(text));
  }

  /** Simple selectors only: `tag`, `.class` or `tag.class`. */
  matches(selector: string): boolean {
    const match = /^([a-zA-Z][\w-]*)?(?:\.([\w-]+))?$/.exec(selector);
    if (match === null || selector === '') throw new Error(`chart DOM: unsupported selector ${JSON.stringify(selector)}`);
    const [, tag, className] = match;
    if (tag !== undefined && tag !== this.localName) return false;
    return className === undefined || (this.attributes.get('class') ?? '').split(/\s+/).includes(className);
  }

  querySelectorAll(selector: string): ChartElement[] {
    const found: ChartElement[] = [];
    const visit = (element: ChartElement) => {
      for (const child of element.childNodes) {
        if (child instanceof TextNode) continue;
        if (child.matches(selector)) found.push(child);
        visit(child);
      }
    };
    visit(this);
    return found;
  }

  querySelector(selector: string): ChartElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }

  /** Only whether `other` follows this node in document order: all that d3's `order()` asks. */
  compareDocumentPosition(other: ChartElement): number {
    const path = (node: ChartElement): number[] => {
      const indices: number[] = [];
      for (let at: ChartElement = node; at.parentNode !== null; at = at.parentNode) indices.unshift(at.parentNode.childNodes.indexOf(at));
      return indices;
    };
    const [mine, theirs] = [path(this), path(other)];
    for (let depth = 0; depth < Math.min(mine.length, theirs.length); depth++) {
      if (mine[depth] !== theirs[depth]) return mine[depth]! < theirs[depth]! ? following : preceding;
    }
    return theirs.length > mine.length ? following : preceding;
  }

  get outerHTML(): string {
    let markup = `<${this.localName}`;
    for (const [name, value] of this.attributes) markup += ` ${name}="${value.replace(/&/g, '&amp;').replace(/\u00a0/g, '&nbsp;').replace(/"/g, '&quot;')}"`;
    markup += '>';
    for (const child of this.childNodes) {
      if (child instanceof ChartElement) markup += child.outerHTML;
      else if (rawTextParents.has(this.localName)) markup += child.data;
      else markup += child.data.replace(/&/g, '&amp;').replace(/\u00a0/g, '&nbsp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    }
    return `${markup}</${this.localName}>`;
  }
}

function writtenName(namespace: string | null, name: string): string {
  if (namespace === null || namespace === '') return name;
  const prefix = attributePrefixes[namespace];
  if (prefix === undefined) throw new Error(`chart DOM: unsupported attribute namespace ${namespace}`);
  return prefix === 'xmlns:' && name === 'xmlns' ? name : `${prefix}${name}`;
}

/** An HTML document holding nothing but the elements made for charts. */
export class ChartDocument {
  readonly documentElement = { namespaceURI: xhtmlNamespace };

  createElement(name: string): ChartElement {
    return new ChartElement(this, xhtmlNamespace, name.toLowerCase());
  }

  createElementNS(namespace: string, name: string): ChartElement {
    return new ChartElement(this, namespace, name);
  }
}
