-- Accounts, sessions, events, working groups, memberships and invitations.

create table users (
	id uuid primary key default gen_random_uuid(),
	email text not null,
	name text not null,
	password_hash text not null,
	locale text,
	created_at timestamptz not null default now(),
	constraint users_email_unique unique (email),
	constraint users_email_lowercase check (email = lower(email)),
	constraint users_name_length check (char_length(name) between 1 and 80),
	constraint users_locale_known check (locale in ('en', 'fr', 'ru', 'kk'))
);
comment on table users is 'A person who can log in. E-mail is stored lower-cased; password_hash is argon2id.';

create table sessions (
	id text primary key,
	user_id uuid not null references users (id) on delete cascade,
	secret_hash bytea not null,
	created_at timestamptz not null default now(),
	expires_at timestamptz not null,
	constraint sessions_expiry_after_creation check (expires_at > created_at)
);
create index sessions_user_id on sessions (user_id);
comment on table sessions is 'Login sessions (Lucia guide): the cookie is "<id>.<secret>", only SHA-256(secret) is stored. expires_at slides, bounded by created_at + 90 days.';

create table events (
	id uuid primary key default gen_random_uuid(),
	title text not null,
	starts_on date,
	ends_on date,
	venue text,
	languages jsonb not null default '[]'::jsonb,
	created_by uuid not null references users (id),
	created_at timestamptz not null default now(),
	constraint events_title_length check (char_length(title) between 1 and 200),
	constraint events_dates_ordered check (ends_on is null or starts_on is null or ends_on >= starts_on),
	constraint events_languages_array check (jsonb_typeof(languages) = 'array')
);
comment on table events is 'A seminar or conference. Its organizers may do everything in every group of it.';

create table event_organizers (
	event_id uuid not null references events (id) on delete cascade,
	user_id uuid not null references users (id) on delete cascade,
	created_at timestamptz not null default now(),
	constraint event_organizers_pk primary key (event_id, user_id)
);
create index event_organizers_user_id on event_organizers (user_id);
comment on table event_organizers is 'Who organizes an event; the creator is the first organizer.';

create table groups (
	id uuid primary key default gen_random_uuid(),
	event_id uuid not null references events (id) on delete cascade,
	name text not null,
	created_at timestamptz not null default now(),
	constraint groups_name_length check (char_length(name) between 1 and 200)
);
create index groups_event_id on groups (event_id);
comment on table groups is 'A working group (or the plenary) of an event.';

create table memberships (
	group_id uuid not null references groups (id) on delete cascade,
	user_id uuid not null references users (id) on delete cascade,
	role text not null,
	delegation text,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	constraint memberships_pk primary key (group_id, user_id),
	constraint memberships_role_known check (role in ('moderator', 'member', 'participant', 'observer')),
	constraint memberships_delegation_length check (delegation is null or char_length(delegation) between 1 and 200)
);
create index memberships_user_id on memberships (user_id);
comment on table memberships is 'A person''s role in a working group, with the delegation (country or institution) they speak for.';

create table invitations (
	id uuid primary key default gen_random_uuid(),
	group_id uuid not null references groups (id) on delete cascade,
	email text not null,
	role text not null,
	delegation text,
	token text not null,
	created_by uuid not null references users (id),
	created_at timestamptz not null default now(),
	expires_at timestamptz not null,
	accepted_by uuid references users (id) on delete set null,
	accepted_at timestamptz,
	revoked_at timestamptz,
	constraint invitations_token_unique unique (token),
	constraint invitations_role_known check (role in ('moderator', 'member', 'participant', 'observer')),
	constraint invitations_email_lowercase check (email = lower(email))
);
create index invitations_group_id on invitations (group_id);
create index invitations_email on invitations (email);
comment on table invitations is 'An invitation to a group for an e-mail with no account yet; the organizer copies the link. Accepted once.';
