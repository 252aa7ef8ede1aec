import WebSocket from 'ws';
import * as Y from 'yjs';
import type { HistoryResult, LoadTiming } from './messages';
import { emptyStateVector, emptyUpdate, openingMessages, parseIncoming, syncMessage, type Endpoint, type Incoming } from './protocol';

/** A raw connection whose frames are awaited one condition at a time (history writer, loader). */
class Session {
	readonly ws: WebSocket;
	private waiters: { test: (message: Incoming) => boolean; resolve: (message: Incoming) => void }[] = [];
	private failure: Error | null = null;
	private readonly failed: Promise<never>;

	constructor(readonly endpoint: Endpoint) {
		this.ws = new WebSocket(endpoint.url, { headers: endpoint.headers, perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
		this.failed = new Promise((_resolve, reject) => {
			const fail = (error: Error) => {
				this.failure ??= error;
				reject(this.failure);
			};
			this.ws.on('error', fail);
			this.ws.on('close', (code, reason) => fail(new Error(`closed ${code} ${reason.toString()}`)));
			this.ws.on('unexpected-response', (_request, response) => fail(new Error(`HTTP ${response.statusCode}`)));
		});
		this.failed.catch(() => {});
		this.ws.on('message', (data: Buffer) => {
			const message = parseIncoming(endpoint.protocol, data);
			if (message.kind === 'step1') this.ws.send(syncMessage(endpoint, 'step2', emptyUpdate));
			this.waiters = this.waiters.filter((waiter) => {
				if (!waiter.test(message)) return true;
				waiter.resolve(message);
				return false;
			});
		});
	}

	opened(): Promise<void> {
		return Promise.race([new Promise<void>((resolve) => this.ws.once('open', () => resolve())), this.failed]);
	}

	/** Resolves with the first frame (from now on) that passes `test`; rejects when the socket fails. */
	next<T extends Incoming>(test: (message: Incoming) => message is T, timeoutMs = 120_000): Promise<T> {
		if (this.failure) return Promise.reject(this.failure);
		let timer: NodeJS.Timeout | undefined;
		const found = new Promise<T>((resolve) => this.waiters.push({ test, resolve: resolve as (message: Incoming) => void }));
		const timeout = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
		});
		return Promise.race([found, this.failed, timeout]).finally(() => clearTimeout(timer));
	}

	close(): Promise<void> {
		if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
		return new Promise((resolve) => {
			this.ws.once('close', () => resolve());
			this.ws.close();
			setTimeout(() => {
				this.ws.terminate();
				resolve();
			}, 5000).unref();
		});
	}
}

const isStep2 = (message: Incoming): message is Extract<Incoming, { kind: 'step2' }> => message.kind === 'step2';

/** Connects like a stock client and waits for the answer to its sync step 1. */
async function handshake(endpoint: Endpoint): Promise<Session> {
	const session = new Session(endpoint);
	await session.opened();
	for (const message of openingMessages(endpoint)) session.ws.send(message);
	session.ws.send(syncMessage(endpoint, 'step1', emptyStateVector));
	await session.next(isStep2);
	return session;
}

/** Holders keep their history document in memory on servers without persistence. */
const holders: Session[] = [];

/**
 * Sends a prepared history (one Yjs update per message) at most `perSecond` messages a second
 * after a burst, then proves the server applied all of it: a sync step 1 with the final state
 * vector is answered only after every earlier message on the connection was handled. With
 * `waitForSaved` (Plenary) it also waits for the "saved" message covering that state vector.
 * The connection stays open until `releaseHistory`.
 */
export async function writeHistory(
	endpoint: Endpoint,
	messages: Uint8Array[],
	pace: { perSecond: number; burst: number },
	finalStateVector: Uint8Array,
	waitForSaved: boolean
): Promise<HistoryResult> {
	const started = performance.now();
	const session = await handshake(endpoint);
	holders.push(session);
	const final = Y.decodeStateVector(finalStateVector);
	const covers = (stateVector: Uint8Array) => {
		const committed = Y.decodeStateVector(stateVector);
		return [...final].every(([client, clock]) => (committed.get(client) ?? 0) >= clock);
	};
	const saved = waitForSaved
		? session.next((message): message is Extract<Incoming, { kind: 'saved' }> => message.kind === 'saved' && covers(message.stateVector), 600_000)
		: null;
	saved?.catch(() => {});
	const sendStart = performance.now();
	for (let i = 0; i < messages.length; i++) {
		const due = sendStart + (Math.max(0, i - pace.burst) / pace.perSecond) * 1000;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		session.ws.send(syncMessage(endpoint, 'update', messages[i]!));
	}
	session.ws.send(syncMessage(endpoint, 'step1', finalStateVector));
	await session.next(isStep2, 600_000);
	if (saved) await saved;
	return { ms: performance.now() - started };
}

export async function releaseHistory(): Promise<void> {
	await Promise.all(holders.splice(0).map((session) => session.close()));
}

/** A new client opens the document: connect → upgrade → sync step 2 → applied to a fresh Y.Doc. */
export async function loadOnce(endpoint: Endpoint): Promise<LoadTiming> {
	const started = performance.now();
	const session = new Session(endpoint);
	await session.opened();
	const openMs = performance.now() - started;
	for (const message of openingMessages(endpoint)) session.ws.send(message);
	session.ws.send(syncMessage(endpoint, 'step1', emptyStateVector));
	const step2 = await session.next(isStep2);
	const step2Ms = performance.now() - started;
	const doc = new Y.Doc();
	Y.applyUpdate(doc, step2.payload);
	const syncedMs = performance.now() - started;
	const contentLength = doc.getXmlFragment('default').toString().length;
	doc.destroy();
	await session.close();
	return { openMs, step2Ms, syncedMs, bytes: step2.payload.byteLength, contentLength };
}
