import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../src/lib/server/pages';

const origin = 'https://plenary.example';

describe('safeNext (BI-39)', () => {
	it.each([
		['a path on the site', '/groups/1?tab=documents#members', '/groups/1?tab=documents#members'],
		['an absolute URL on the same origin', 'https://plenary.example/events/2', '/events/2'],
		['a relative path', 'groups/1', '/groups/1'],
		['encoded slashes, which stay one path segment on this site', '/%2F%2Fevil.example', '/%2F%2Fevil.example'],
		['a scheme without slashes, which a browser reads as a path here', 'https:evil.example', '/evil.example']
	])('keeps %s, as the browser would resolve it', (_what, next, expected) => {
		expect(safeNext(next, origin)).toBe(expected);
	});

	it.each([
		['a tab between the slashes', '/\t/evil.example'],
		['a newline between the slashes', '/\n/evil.example'],
		['a CR LF between the slashes', '/\r\n/evil.example'],
		['a leading tab', '\t//evil.example'],
		['a slash and a backslash', '/\\evil.example'],
		['a backslash and a slash', '\\/evil.example'],
		['two backslashes', '\\\\evil.example'],
		['a protocol-relative URL', '//evil.example'],
		['another origin', 'https://evil.example/login'],
		['our host on another scheme', 'http://plenary.example/'],
		['our host on another port', 'https://plenary.example:8443/'],
		['a dot segment that resolves to //host', '/.//evil.example'],
		['javascript:', 'javascript:alert(document.cookie)'],
		['javascript: split by a tab', 'java\tscript:alert(1)'],
		['data:', 'data:text/html,<script>alert(1)</script>'],
		['an empty value', ''],
		['nothing', null]
	])('sends %s home', (_what, next) => {
		expect(safeNext(next, origin)).toBe('/');
	});
});
