import { describe, expect, it } from 'vitest';
import { email, eventBody, groupBody, memberBody, oneLine, registerBody } from '../../../src/lib/protocol/api';

const member = (fields: Record<string, unknown>) => memberBody.safeParse({ email: 'ann@example.org', role: 'member', ...fields });

describe('one-line names and titles', () => {
	it('are NFC-normalized, so a decomposed letter is stored as one character', () => {
		const decomposed = 'Cafe\u0301 й'.normalize('NFD');
		const parsed = groupBody.parse({ name: decomposed });
		expect(parsed.name).toBe('Café й');
		expect(parsed.name).toHaveLength(6);
	});

	it('are trimmed, and a name of only spaces is refused as empty', () => {
		expect(groupBody.parse({ name: '  Working group 1 \u00a0' }).name).toBe('Working group 1');
		expect(groupBody.safeParse({ name: '   ' }).success).toBe(false);
		expect(groupBody.safeParse({ name: '' }).success).toBe(false);
	});

	it.each([
		['a tab', 'Working\tgroup'],
		['a newline', 'Working\ngroup'],
		['a NUL', 'Working\u0000group'],
		['an escape', 'Working\u001b[31mgroup'],
		['DEL', 'Working\u007fgroup'],
		['a C1 control', 'Working\u0085group']
	])('refuse %s inside the text', (_name, value) => {
		const result = groupBody.safeParse({ name: value });
		expect(result.success).toBe(false);
		expect(result.error?.issues[0]?.message).toBe('must not contain control characters');
	});

	it('accept 200 characters and refuse 201, Kazakh letters counted as one each', () => {
		expect(groupBody.safeParse({ name: 'a'.repeat(200) }).success).toBe(true);
		expect(groupBody.safeParse({ name: 'a'.repeat(201) }).success).toBe(false);
		expect(groupBody.safeParse({ name: 'ә'.repeat(200) }).success).toBe(true);
		expect(groupBody.safeParse({ name: 'ә'.repeat(201) }).success).toBe(false);
		expect(eventBody.safeParse({ title: 'қ'.repeat(200) }).success).toBe(true);
		expect(eventBody.safeParse({ title: 'қ'.repeat(201) }).success).toBe(false);
	});

	it('count the length after trimming', () => {
		expect(groupBody.safeParse({ name: ` ${'a'.repeat(200)} ` }).success).toBe(true);
	});

	it('limit a person’s name to 80 characters', () => {
		const body = { email: 'ann@example.org', password: 'correct horse battery' };
		expect(registerBody.safeParse({ ...body, name: 'Ә'.repeat(80) }).success).toBe(true);
		expect(registerBody.safeParse({ ...body, name: 'Ә'.repeat(81) }).success).toBe(false);
	});

	it('pass Kazakh Cyrillic through unchanged', () => {
		expect(oneLine(200).parse('Жоғарғы Сот — әғқңөұүһі')).toBe('Жоғарғы Сот — әғқңөұүһі');
	});
});

describe('roles', () => {
	it.each(['observer', 'participant', 'member', 'moderator'])('accept %s', (role) => {
		expect(member({ role }).success).toBe(true);
	});

	it.each(['owner', 'organizer', 'Moderator ', 'Moderator', 'MEMBER', '', 3])('refuse %j', (role) => {
		expect(member({ role }).success).toBe(false);
	});
});

describe('e-mail addresses', () => {
	it('are trimmed and lower-cased', () => {
		expect(email.parse('  Aliya.Kasymova@Example.KZ ')).toBe('aliya.kasymova@example.kz');
	});

	it.each(['aliya', 'aliya@', '@example.org', 'aliya@example org', `${'a'.repeat(250)}@example.org`])('refuse %j', (value) => {
		expect(email.safeParse(value).success).toBe(false);
	});
});

describe('event dates', () => {
	it.each(['2026-02-28', '2028-02-29', '2026-12-31'])('accept the real date %s', (date) => {
		expect(eventBody.safeParse({ title: 'Seminar', startsOn: date }).success).toBe(true);
	});

	it.each(['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-2-3', '26-02-03', '2026-02-03T10:00', 'tomorrow'])(
		'refuse %j',
		(date) => {
			expect(eventBody.safeParse({ title: 'Seminar', startsOn: date }).success).toBe(false);
			expect(eventBody.safeParse({ title: 'Seminar', endsOn: date }).success).toBe(false);
		}
	);

	it('refuse an end before the start, on the endsOn field', () => {
		const result = eventBody.safeParse({ title: 'Seminar', startsOn: '2026-05-12', endsOn: '2026-05-11' });
		expect(result.error?.issues[0]?.path).toEqual(['endsOn']);
		expect(eventBody.safeParse({ title: 'Seminar', startsOn: '2026-05-12', endsOn: '2026-05-12' }).success).toBe(true);
	});
});

describe('bodies', () => {
	it('refuse unknown fields', () => {
		expect(groupBody.safeParse({ name: 'Group', isAdmin: true }).success).toBe(false);
	});
});
