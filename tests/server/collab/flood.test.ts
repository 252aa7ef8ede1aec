import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloMessage, openEditor, openRaw, type RawCollab } from '../../helpers/collab';
import { createDocument, seedGroup, type Roster } from '../../helpers/group';
import { eventually } from '../../helpers/retry';
import { backends } from '../../helpers/services';
import { startServer, type RunningServer } from '../../helpers/server';
import { CollabClose, collabLimits, messageAwareness } from '../../../src/lib/protocol/collab';

/**
 * Issue 12, point 2: one ordinary account cannot stall the server. Its sockets on one document are
 * capped (the rest closed 4409), and however fast its sockets announce awareness, each connection in
 * the room gets at most one awareness message per tick and the room's byte budget per second, so
 * `/healthz` keeps answering and other people's typing keeps arriving.
 */
const cap = 20;

/** A raw socket that announces its own ~1.8 KB awareness state whenever asked. */
function announcer(raw: RawCollab) {
	const awareness = new awarenessProtocol.Awareness(new Y.Doc());
	let n = 0;
	return () => {
		awareness.setLocalState({ user: { name: 'x' }, filler: 'ж'.repeat(850), n: n++ });
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageAwareness);
		encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]));
		if (raw.ws.readyState === raw.ws.OPEN) raw.send(encoding.toUint8Array(encoder));
	};
}

/** 'open' once the server sent the socket anything (its greeting), or the close code if it closed first. */
function firstOutcome(raw: RawCollab): Promise<'open' | number> {
	if (raw.received.length > 0) return Promise.resolve('open');
	return new Promise((resolve) => {
		raw.ws.once('message', () => resolve('open'));
		raw.ws.once('close', (code) => resolve(code));
	});
}

function awarenessBytes(received: Uint8Array[]): { messages: number; bytes: number } {
	let messages = 0;
	let bytes = 0;
	for (const message of received) {
		if (decoding.readVarUint(decoding.createDecoder(message)) !== messageAwareness) continue;
		messages++;
		bytes += message.byteLength;
	}
	return { messages, bytes };
}

describe.each(backends())('one account flooding /collab on %s', (backend) => {
	let server: RunningServer;
	let roster: Roster;

	beforeAll(async () => {
		server = await startServer(backend, { env: { COLLAB_CONNECTIONS_PER_DOCUMENT: String(cap) } });
		roster = await seedGroup(server.url);
	});
	afterAll(async () => {
		await server.stop();
		await server.dispose();
	});

	it('an account opening 100 sockets on one document holds COLLAB_CONNECTIONS_PER_DOCUMENT of them: the rest are closed 4409, and a closed one frees its place (AZ-62)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Capped');
		const sockets = Array.from({ length: 100 }, () => openRaw(server.url, roster.observer, `/collab/${documentId}`));
		const outcomes = await Promise.all(sockets.map(firstOutcome));
		expect(outcomes.filter((outcome) => outcome === 'open')).toHaveLength(cap);
		expect(outcomes.filter((outcome) => outcome === CollabClose.TOO_MANY_CONNECTIONS)).toHaveLength(100 - cap);
		// Another account is not counted against this one.
		const other = openRaw(server.url, roster.member, `/collab/${documentId}`);
		expect(await firstOutcome(other)).toBe('open');

		const open = sockets.filter((_, i) => outcomes[i] === 'open');
		open[0]!.ws.close();
		await open[0]!.closed;
		const again = openRaw(server.url, roster.observer, `/collab/${documentId}`);
		expect(await firstOutcome(again)).toBe('open');
		const refused = openRaw(server.url, roster.observer, `/collab/${documentId}`);
		expect((await refused.closed).code).toBe(CollabClose.TOO_MANY_CONNECTIONS);
		for (const raw of [...open, other, again]) raw.ws.close();
	});

	it('twenty sockets announcing 1.8 KB of awareness 25 times a second: a bystander gets at most one awareness message a tick within the byte budget, /healthz answers and typing still arrives (BI-40)', async () => {
		const documentId = await createDocument(roster.member, roster.groupId, 'Flooded');
		const flooders = await Promise.all(
			Array.from({ length: cap }, async () => {
				const raw = openRaw(server.url, roster.observer, `/collab/${documentId}`);
				await raw.opened;
				return { raw, announce: announcer(raw) };
			})
		);
		const bystander = openRaw(server.url, roster.participant, `/collab/${documentId}`);
		await bystander.opened;
		bystander.send(helloMessage());
		const writer = openEditor(server.url, roster.member, documentId);
		const reader = openEditor(server.url, roster.member2, documentId);
		await eventually(() => expect(writer.provider.synced && reader.provider.synced).toBe(true));

		const started = performance.now();
		bystander.received.length = 0;
		const flood = setInterval(() => flooders.forEach((flooder) => flooder.announce()), 40);
		const health: number[] = [];
		let typed = '';
		try {
			for (let n = 0; n < 12; n++) {
				const asked = performance.now();
				const answer = await fetch(`${server.url}/healthz`);
				expect(answer.status).toBe(200);
				health.push(Math.round(performance.now() - asked));
				typed += `·${n}`;
				writer.type(`·${n}`);
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
			await eventually(() => expect(reader.text()).toContain(typed), { timeoutMs: 10_000 });
		} finally {
			clearInterval(flood);
		}
		const seconds = (performance.now() - started) / 1000;
		const { messages, bytes } = awarenessBytes(bystander.received);
		console.info(
			`[flood ${backend}] ${seconds.toFixed(1)} s: bystander got ${messages} awareness messages, ${Math.round(bytes / 1024)} KiB; /healthz answered in ${Math.max(...health)} ms at most (${health.join(', ')})`
		);
		// Without coalescing each of the 20 × 25 announcements a second reaches the bystander alone.
		expect(messages).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / collabLimits.awarenessTickMs) + 5);
		// The budget counts the encoded states; frame headers add a few bytes per state.
		expect(bytes).toBeLessThanOrEqual(seconds * collabLimits.awarenessBytesPerSecond * 1.1 + 8 * 1024);
		// Every flooder was heard: its latest state goes out in turn, none starves.
		await eventually(() => {
			const seen = new Set<number>();
			for (const message of bystander.received) {
				const decoder = decoding.createDecoder(message);
				if (decoding.readVarUint(decoder) !== messageAwareness) continue;
				const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
				const count = decoding.readVarUint(update);
				for (let i = 0; i < count; i++) {
					seen.add(decoding.readVarUint(update));
					decoding.readVarUint(update);
					decoding.readVarString(update);
				}
			}
			expect(seen.size).toBeGreaterThanOrEqual(cap);
		});
		for (const { raw } of flooders) raw.ws.close();
		bystander.ws.close();
		writer.destroy();
		reader.destroy();
	}, 60_000);
});
