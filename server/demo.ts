import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { AppContext } from '../src/lib/server/context';
import * as accounts from '../src/lib/server/auth/accounts';
import * as events from '../src/lib/server/events';
import * as groups from '../src/lib/server/groups';
import type { GroupRole, Locale } from '../src/lib/protocol/roles';
import * as documents from '../src/lib/server/documents';
import * as sessions from '../src/lib/server/sessions';
import * as users from '../src/lib/server/users';
import * as Y from 'yjs';

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
	}, null);
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
		await accounts.register(context, { email: person.email, password, name: person.name, locale: person.locale }, null);
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
	// A draft, empty minutes and a session about them, so the room can be tried at once.
	const moderator = await users.findByEmail(context.db, 'aigerim@example.org');
	const draft = await documents.create(context.db, wg[0]!.id, moderator!.id, { title: 'Draft recommendations on judicial independence', kind: 'recommendations' });
	await documents.appendUpdate(context.db, draft.id, draftContent());
	const minutes = await documents.create(context.db, wg[0]!.id, moderator!.id, { title: 'Minutes — first sitting', kind: 'minutes' });
	await sessions.create(
		context.db,
		{ userId: moderator!.id, groupId: wg[0]!.id, eventId: event.id, role: 'moderator' },
		{
			title: 'First sitting',
			startsAt: '2026-12-08T10:00:00+05:00',
			agenda: [
				{ title: 'Opening and adoption of the agenda', plannedMinutes: 10 },
				{ title: 'Appointment of judges', plannedMinutes: 45 },
				{ title: 'Judicial self-governance', plannedMinutes: 45 },
				{ title: 'Any other business', plannedMinutes: 10 }
			],
			documentIds: [draft.id, minutes.id]
		}
	);
	return { password, accounts: list };
}

/** The demo draft as the editor would store it: a preamble and three recommendations in three languages. */
function draftContent(): Uint8Array {
	const doc = new Y.Doc();
	const fragment = doc.getXmlFragment('default');
	const block = (type: string, text: string, attrs: Record<string, unknown> = {}) => {
		const element = new Y.XmlElement(type);
		for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value as string);
		element.insert(0, [new Y.XmlText(text)]);
		return element;
	};
	const recommendation = (status: string, ...paragraphs: string[]) => {
		const element = new Y.XmlElement('recommendation');
		element.setAttribute('id', crypto.randomUUID());
		element.setAttribute('status', status);
		element.insert(0, paragraphs.map((text) => block('paragraph', text)));
		return element;
	};
	fragment.push([
		block('heading', 'Independence of the judiciary', { level: 2 }),
		block('paragraph', 'The participants of the regional seminar, having exchanged their experience, recommend to the states of the region:'),
		recommendation('proposed', 'Judges are selected and appointed on objective criteria — merit, integrity and experience — by a body independent of the executive.'),
		recommendation('draft', 'Бюджет судебной системы формируется при участии органов судейского самоуправления и не может быть сокращён без их согласия.'),
		recommendation('draft', 'Судьялардың тәртіптік жауапкершілігі тек заңда көзделген негіздер бойынша және әділ сот талқылауы кепілдіктерімен қаралады.')
	]);
	return Y.encodeStateAsUpdate(doc);
}
