import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { gotoReady } from './browser';

/** Selects `phrase` in the editor of `page` with the DOM selection (as a mouse drag would). */
export async function selectPhrase(page: Page, phrase: string): Promise<void> {
	await page.evaluate((text) => {
		const root = document.querySelector<HTMLElement>('.ProseMirror')!;
		root.focus();
		const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const at = node.textContent!.indexOf(text);
			if (at === -1) continue;
			const range = document.createRange();
			range.setStart(node, at);
			range.setEnd(node, at + text.length);
			const selection = document.getSelection()!;
			selection.removeAllRanges();
			selection.addRange(range);
			return;
		}
		throw new Error(`not found: ${text}`);
	}, phrase);
}

/** Comments on `phrase` from the margin's composer. */
export async function commentOn(page: Page, phrase: string, body: string): Promise<void> {
	// A DOM selection made while the editor is still busy (a loaded machine) can be missed by it:
	// select again until the editor offers "Comment".
	const button = page.getByTestId('comment-button');
	await expect
		.poll(async () => {
			await selectPhrase(page, phrase);
			return button.isVisible();
		}, { timeout: 20_000 })
		.toBe(true);
	await button.click();
	await page.locator('#new-comment').fill(body);
	await page.getByRole('button', { name: 'Send' }).click();
}

/** A document of the group with `text` typed into it by `page` and stored by the server. */
export async function typeDocument(page: Page, url: string, text: string): Promise<void> {
	await gotoReady(page, url);
	await page.locator('.ProseMirror').click();
	await page.keyboard.type(text);
	await expect.poll(() => page.getByTestId('sync-status').textContent()).toContain('All changes saved');
}
