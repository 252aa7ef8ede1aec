import type { Page } from 'playwright-core';

/** Kinds of text block a test writes in, and where their text sits in the editor's DOM. */
export type BlockKind = 'paragraph' | 'recommendation' | 'heading' | 'listItem';
/** How a caret is put somewhere: a click then End, a mouse-drag selection then End, or by script. */
export type CaretMethod = 'click' | 'drag' | 'script';

const textSelectors: Record<BlockKind, string> = {
	paragraph: '.ProseMirror > p',
	recommendation: '.ProseMirror .recommendation-body > p',
	heading: '.ProseMirror > h2',
	listItem: '.ProseMirror li > p'
};

/**
 * Appends a block of `kind` holding `text` at the end of the document, through the page's TipTap
 * editor (TipTap puts itself on its element as `.editor`), as the person of that page.
 */
export async function insertBlock(page: Page, kind: BlockKind, text: string): Promise<void> {
	await page.evaluate(
		({ kind, text }) => {
			const paragraph = { type: 'paragraph', content: [{ type: 'text', text }] };
			const block =
				kind === 'paragraph'
					? paragraph
					: kind === 'heading'
						? { type: 'heading', attrs: { level: 2 }, content: paragraph.content }
						: kind === 'listItem'
							? { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph] }] }
							: { type: 'recommendation', attrs: { id: crypto.randomUUID(), status: 'draft' }, content: [paragraph] };
			const editor = (document.querySelector('.ProseMirror') as any).editor;
			editor.commands.insertContentAt(editor.state.doc.content.size, block);
		},
		{ kind, text }
	);
}

/** The text of the block of `kind` whose text starts with `prefix` (other people's carets left out), or null. */
export function blockText(page: Page, kind: BlockKind, prefix: string): Promise<string | null> {
	return page.evaluate(
		({ selector, prefix }) =>
			[...document.querySelectorAll(selector)]
				.map((el) => {
					const copy = el.cloneNode(true) as Element;
					for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
					return copy.textContent ?? '';
				})
				.find((text) => text.startsWith(prefix)) ?? null,
		{ selector: textSelectors[kind], prefix }
	);
}

/**
 * Puts the page's caret in the block starting with `prefix`: at its end (`click`, `drag` and `script`),
 * or at character `offset` (`script` only). A person whose click or drag missed (on a loaded
 * machine a mouse-up can land before the page has laid out the block, or ProseMirror can put its
 * drag selection back after End) looks and does it again: so does this, up to four times, and
 * throws with what the editor held if the caret is still elsewhere.
 */
export async function placeCaret(page: Page, kind: BlockKind, prefix: string, method: CaretMethod, offset?: number): Promise<void> {
	let missed = '';
	for (let attempt = 1; attempt <= 4; attempt++) {
		const landed = await placeCaretOnce(page, kind, prefix, method, offset).then(
			() => true,
			(error: Error) => ((missed = error.message.split('\n')[0]!), false)
		);
		if (landed && offset !== undefined) return;
		if (landed && (await caretArrivesAtEndOf(page, prefix))) return;
		if (landed) missed = await selectionDescription(page);
		console.warn(`placeCaret: ${method} at the end of ${prefix} missed (attempt ${attempt}): ${missed}`);
	}
	throw new Error(`${method} did not put the caret at the end of ${prefix}: ${missed}`);
}

async function caretArrivesAtEndOf(page: Page, prefix: string): Promise<boolean> {
	const deadline = Date.now() + 3_000;
	while (Date.now() < deadline) {
		if (await caretAtEndOf(page, prefix)) return true;
		await page.waitForTimeout(50);
	}
	return false;
}

function selectionDescription(page: Page): Promise<string> {
	return page.evaluate(() => {
		const { selection } = (document.querySelector('.ProseMirror') as any).editor.state;
		return `selection ${selection.from}-${selection.to} in ${JSON.stringify(selection.$head.parent.textContent)} at ${selection.$head.parentOffset}`;
	});
}

async function placeCaretOnce(page: Page, kind: BlockKind, prefix: string, method: CaretMethod, offset?: number): Promise<void> {
	const box = await page.evaluate(
		({ selector, prefix, method, offset }) => {
			// The text nodes of the block, without the labels of other people's carets shown inside it.
			const textsOf = (element: Element) => {
				const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
					acceptNode: (node) => (node.parentElement?.closest('.collaboration-carets__caret') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT)
				});
				const found: Text[] = [];
				while (walker.nextNode()) found.push(walker.currentNode as Text);
				return found;
			};
			const element = [...document.querySelectorAll(selector)].find((el) =>
				textsOf(el)
					.map((text) => text.data)
					.join('')
					.startsWith(prefix)
			)!;
			const texts = textsOf(element);
			element.scrollIntoView({ block: 'center' });
			const first = texts[0]!;
			const last = texts[texts.length - 1]!;
			if (method === 'script') {
				(document.querySelector('.ProseMirror') as HTMLElement).focus();
				let target = last;
				let at = last.length;
				if (offset !== undefined) {
					let left = offset;
					for (const text of texts) {
						if (left <= text.length) {
							target = text;
							at = left;
							break;
						}
						left -= text.length;
					}
				}
				document.getSelection()!.collapse(target, at);
				return null;
			}
			const rectOf = (node: Text, at: number) => {
				const range = document.createRange();
				range.setStart(node, at);
				range.setEnd(node, at + 1);
				return range.getBoundingClientRect();
			};
			const start = rectOf(first, 0);
			const end = rectOf(last, last.length - 1);
			return { startX: start.left + 1, startY: start.top + start.height / 2, endX: end.right - 1, endY: end.top + end.height / 2 };
		},
		{ selector: textSelectors[kind], prefix, method, offset }
	);
	if (!box) return;
	if (method === 'click') {
		await page.mouse.click(box.endX, box.endY);
	} else {
		await page.mouse.move(box.startX, box.startY);
		await page.mouse.down();
		await page.mouse.move((box.startX + box.endX) / 2, box.endY, { steps: 4 });
		await page.mouse.move(box.endX, box.endY, { steps: 4 });
		await page.mouse.up();
	}
	// A person presses End once the click or drag has landed: ProseMirror has taken that selection.
	await page.waitForFunction(
		({ prefix, method }) => {
			const { selection } = (document.querySelector('.ProseMirror') as any).editor.state;
			return selection.$head.parent.textContent.startsWith(prefix) && (method === 'click' || !selection.empty);
		},
		{ prefix, method },
		{ timeout: 5_000 }
	);
	// After a drag ProseMirror writes its selection back to the page in a zero-delay timeout; a key
	// pressed before that runs (no person is that fast) would be undone by it.
	await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
	await page.keyboard.press('End');
}

/** Whether the editor's caret is collapsed at the end of the text block starting with `prefix`. */
export function caretAtEndOf(page: Page, prefix: string): Promise<boolean> {
	return page.evaluate((prefix) => {
		const { selection } = (document.querySelector('.ProseMirror') as any).editor.state;
		const { $head } = selection;
		return selection.empty && $head.parent.textContent.startsWith(prefix) && $head.parentOffset === $head.parent.content.size;
	}, prefix);
}

/** The text selected in the editor (ProseMirror's own selection). */
export function selectionText(page: Page): Promise<string> {
	return page.evaluate(() => {
		const { state } = (document.querySelector('.ProseMirror') as any).editor;
		return state.doc.textBetween(state.selection.from, state.selection.to);
	});
}
