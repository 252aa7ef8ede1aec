import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { AppContext } from '../src/lib/server/context';
import * as accounts from '../src/lib/server/auth/accounts';
import * as events from '../src/lib/server/events';
import * as groups from '../src/lib/server/groups';
import type { GroupRole, Locale } from '../src/lib/protocol/roles';

type Person = { name: string; email: string; locale: Locale; delegation: string; roles: [number, GroupRole][] };

// Fictional people; delegations as the seminar's list of participants would show them.
const people: Person[] = [
	{ name: 'Aigerim Bekova', email: 'aigerim@example.org', locale: 'kk', delegation: 'Kazakhstan — Supreme Court', roles: [[0, 'moderator'], [1, 'participant']] },
	{ name: 'Jean-Luc Moreau', email: 'jeanluc@example.org', locale: 'fr', delegation: 'France — Ministry of Justice', roles: [[1, 'moderator']] },
	{ name: 'Dilnoza Karimova', email: 'dilnoza@example.org', locale: 'ru', delegation: 'Uzbekistan — Ministry of Justice', roles: [[0, 'member']] },
	{ name: 'Bakyt Toktogulov', email: 'bakyt@example.org', locale: 'ru', delegation: "Kyrgyzstan — Prosecutor General's Office", roles: [[0, 'member'], [1, 'member']] },
	{ name: 'Farrukh Rahimov', email: 'farrukh@example.org', locale: 'ru', delegation: 'Tajikistan — Council of Justice', roles: [[1, 'member']] },
	{ name: 'Ерлан Сұлтанов', email: 'erlan@example.org', locale: 'kk', delegation: 'Kazakhstan — Prosecutor General’s Office', roles: [[0, 'participant'], [1, 'participant']] },
	{ name: 'Maral Atayeva', email: 'maral@example.org', locale: 'ru', delegation: 'Turkmenistan — Supreme Court', roles: [[0, 'participant']] },
	{ name: 'Sophie Laurent', email: 'sophie@example.org', locale: 'fr', delegation: 'Council of Europe — observer', roles: [[0, 'observer'], [1, 'observer']] }
];

/**
 * Seeds a fresh database with the demo seminar through the same domain functions the app uses.
 * Returns the accounts and the one password they share (random per start), to print.
 */
export async function seedDemo(context: AppContext): Promise<{ password: string; accounts: { email: string; role: string }[] }> {
	const bytes = new Uint8Array(8);
	crypto.getRandomValues(bytes);
	const password = `demo-${encodeBase32LowerCaseNoPadding(bytes)}`;
	const organizer = await accounts.register(context, {
		email: 'organizer@example.org',
		password,
		name: 'Elena Petrova',
		locale: 'en'
	});
	const event = await events.create(context.db, organizer.user.id, {
		title: 'Regional seminar on judicial reform',
		startsOn: '2026-12-08',
		endsOn: '2026-12-09',
		venue: 'Almaty, Kazakhstan',
		languages: ['en', 'ru', 'kk']
	});
	const wg = [
		await groups.create(context.db, event.id, 'Working group 1 — Independence of the judiciary'),
		await groups.create(context.db, event.id, 'Working group 2 — Access to justice and legal aid')
	];
	const list = [{ email: 'organizer@example.org', role: 'organizer of the event' }];
	for (const person of people) {
		await accounts.register(context, { email: person.email, password, name: person.name, locale: person.locale });
		for (const [index, role] of person.roles) {
			const group = wg[index]!;
			const actor = { userId: organizer.user.id, groupId: group.id, eventId: event.id, role: 'organizer' as const };
			await groups.addMember(context.db, actor, { email: person.email, role, delegation: person.delegation });
		}
		list.push({ email: person.email, role: person.roles.map(([i, r]) => `${r} in WG${i + 1}`).join(', ') });
	}
	// One pending invitation, so the event page shows what an invitation looks like.
	await groups.addMember(
		context.db,
		{ userId: organizer.user.id, groupId: wg[1]!.id, eventId: event.id, role: 'organizer' },
		{ email: 'rapporteur.wg2@example.org', role: 'member', delegation: 'Mongolia — Judicial General Council' }
	);
	return { password, accounts: list };
}
