import { randomUUID } from 'node:crypto';
import type { Endpoint } from '../load/protocol';
import { baseEnv, startChild, type Child } from './child';
import type { PlenaryDatabase } from './plenary-db';

export const serverNames = ['Plenary', 'y-websocket-server', 'Hocuspocus', 'relay-floor'] as const;
/** Servers that hold a document: the load scenario applies to them (not to the relay floor). */
export const documentServers: readonly ServerName[] = ['Plenary', 'y-websocket-server', 'Hocuspocus'];
export type ServerName = (typeof serverNames)[number];

/** One server under test, started fresh for each scenario; `nodeArgs` go to its node (e.g. --cpu-prof). */
export type ServerUnderTest = {
	name: ServerName;
	pid: number;
	/** Plenary's HTTP origin (Socket.IO lives there too); null for the collab-only servers. */
	baseUrl: string | null;
	/** Other processes whose CPU counts as this server's (PostgreSQL backends of its database). */
	helperPids: () => Promise<number[]>;
	/** `count` documents nobody has used yet. */
	documents: (count: number) => string[];
	/** How user number `user` (see plenary-db.ts `seeded`) connects to `document`. */
	endpoint: (document: string, user: number) => Endpoint;
	stop: (signal?: NodeJS.Signals) => Promise<void>;
	output: () => string;
};

export type PlenaryOptions = { database: PlenaryDatabase; unloadDelayMs: number; nodeArgs: string[] };

/**
 * Plenary's production build (`node build-server/index.js`) as `npm start` runs it, on the seeded
 * database: session cookie and Origin checked on every upgrade, roles applied, every update stored.
 */
export async function startPlenary({ database, unloadDelayMs, nodeArgs }: PlenaryOptions): Promise<ServerUnderTest> {
	const env = baseEnv({ PORT: '0', HOST: '127.0.0.1', COLLAB_UNLOAD_DELAY_MS: String(unloadDelayMs), ...database.env });
	const child = await startChild([...nodeArgs, 'build-server/index.js'], env, /Plenary is running at (\S+)/);
	const base = child.ready.replace('localhost', '127.0.0.1').replace(/\/$/, '');
	return {
		name: 'Plenary',
		pid: child.pid,
		baseUrl: base,
		helperPids: database.backendPids,
		documents: (count) => database.take(count),
		endpoint: (document, user) => ({
			protocol: 'y-websocket',
			url: `${base.replace(/^http/, 'ws')}/collab/${document}`,
			headers: { cookie: database.cookies[user]!, origin: base },
			documentName: document,
			plenaryHello: true
		}),
		stop: child.stop,
		output: child.output
	};
}

function inMemory(name: ServerName, child: Child, endpoint: (port: string, document: string) => Endpoint): ServerUnderTest {
	return {
		name,
		pid: child.pid,
		baseUrl: null,
		helperPids: async () => [],
		documents: (count) => Array.from({ length: count }, () => `bench-${randomUUID()}`),
		endpoint: (document) => endpoint(child.ready, document),
		stop: child.stop,
		output: child.output
	};
}

/** @y/websocket-server 0.1.1 (servers/reference-server.ts): y-websocket protocol, document in the URL. */
export async function startReference(nodeArgs: string[]): Promise<ServerUnderTest> {
	const child = await startChild([...nodeArgs, '--import', 'tsx', 'bench/servers/reference-server.ts'], baseEnv({}), /listening (\d+)/);
	return inMemory('y-websocket-server', child, (port, document) => ({
		protocol: 'y-websocket',
		url: `ws://127.0.0.1:${port}/${document}`,
		headers: {},
		documentName: document,
		plenaryHello: false
	}));
}

/** @hocuspocus/server 4.7 (servers/hocuspocus-server.ts): its own framing, document name in every message. */
export async function startHocuspocus(nodeArgs: string[]): Promise<ServerUnderTest> {
	const child = await startChild([...nodeArgs, '--import', 'tsx', 'bench/servers/hocuspocus-server.ts'], baseEnv({}), /listening (\d+)/);
	return inMemory('Hocuspocus', child, (port, document) => ({
		protocol: 'hocuspocus',
		url: `ws://127.0.0.1:${port}`,
		headers: {},
		documentName: document,
		plenaryHello: false
	}));
}

/** The relay floor (servers/floor-server.ts): relays updates verbatim, holds no document. */
export async function startFloor(nodeArgs: string[]): Promise<ServerUnderTest> {
	const child = await startChild([...nodeArgs, '--import', 'tsx', 'bench/servers/floor-server.ts'], baseEnv({}), /listening (\d+)/);
	return inMemory('relay-floor', child, (port, document) => ({
		protocol: 'y-websocket',
		url: `ws://127.0.0.1:${port}/${document}`,
		headers: {},
		documentName: document,
		plenaryHello: false
	}));
}
