import { request as httpRequest } from 'node:http';

export type ApiResponse = { status: number; body: any; headers: Headers };

/**
 * A scripted browser-less user of the JSON API: keeps the session cookie like a browser would, and
 * sends our own Origin on writes (as a browser does) unless told otherwise. `from` picks the
 * loopback source address (127.0.0.2 …), so tests of per-address limits each get their own address.
 */
export class ApiClient {
	cookies = new Map<string, string>();

	constructor(
		readonly baseUrl: string,
		readonly options: { from?: string } = {}
	) {}

	get sessionCookie(): string | undefined {
		return this.cookies.get('plenary_session');
	}

	cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	async request(
		method: string,
		path: string,
		options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}
	): Promise<ApiResponse> {
		const headers: Record<string, string> = { origin: this.baseUrl, ...options.headers };
		if (this.cookies.size) headers.cookie = this.cookieHeader();
		let body = options.body;
		if (options.json !== undefined) {
			body = JSON.stringify(options.json);
			headers['content-type'] ??= 'application/json';
		}
		const response = this.options.from
			? await requestFrom(this.options.from, this.baseUrl + path, { method, headers, body })
			: await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
		for (const line of response.headers.getSetCookie()) {
			const [pair = '', ...attributes] = line.split(';');
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim())) || value === '';
			if (expired) this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
		const text = await response.text();
		let parsed: unknown = text;
		if (response.headers.get('content-type')?.includes('application/json') && text) parsed = JSON.parse(text);
		return { status: response.status, body: parsed, headers: response.headers };
	}

	get(path: string, headers?: Record<string, string>) {
		return this.request('GET', path, { headers });
	}
	post(path: string, json?: unknown, headers?: Record<string, string>) {
		return this.request('POST', path, { json, headers });
	}
	patch(path: string, json?: unknown) {
		return this.request('PATCH', path, { json });
	}
	put(path: string, json?: unknown) {
		return this.request('PUT', path, { json });
	}
	delete(path: string) {
		return this.request('DELETE', path);
	}
}

/** `fetch` cannot choose its source address; node:http can (`localAddress`). */
function requestFrom(
	localAddress: string,
	url: string,
	init: { method: string; headers: Record<string, string>; body?: string }
): Promise<Response> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(url, { method: init.method, headers: init.headers, localAddress }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('error', reject);
			res.on('end', () => {
				const headers = new Headers();
				for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
				const status = res.statusCode ?? 0;
				const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
				resolve(new Response(body, { status, headers }));
			});
		});
		req.on('error', reject);
		req.end(init.body);
	});
}

let counter = 0;

/** Registers a new account (with a unique e-mail unless given) and returns a logged-in client for it. */
export async function newUser(
	baseUrl: string,
	name = 'Test user',
	email = uniqueEmail()
): Promise<ApiClient & { user: { id: string; email: string; name: string } }> {
	const client = new ApiClient(baseUrl);
	const response = await client.post('/api/auth/register', { email, password: 'correct horse battery', name });
	if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
	return Object.assign(client, { user: response.body.user });
}

/** An e-mail address no other test uses (lower case, as the server stores it). */
export function uniqueEmail(prefix = 'user'): string {
	return `${prefix}${Date.now()}-${process.pid}-${++counter}@example.org`;
}
