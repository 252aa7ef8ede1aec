-- Live sessions of a working group: agenda, documents discussed, list of speakers.

create table group_sessions (
	id uuid primary key default gen_random_uuid(),
	group_id uuid not null references groups (id) on delete cascade,
	title text not null,
	starts_at timestamptz,
	status text not null default 'scheduled',
	current_item_id uuid,
	speaker_limit_seconds integer,
	focus_document_id uuid references documents (id) on delete set null,
	focus_recommendation_id uuid,
	version bigint not null default 1,
	created_by uuid not null references users (id),
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	constraint group_sessions_title_length check (char_length(title) between 1 and 200),
	constraint group_sessions_status_known check (status in ('scheduled', 'live', 'paused', 'closed')),
	constraint group_sessions_limit_range check (speaker_limit_seconds is null or speaker_limit_seconds between 10 and 3600)
);
create index group_sessions_group_id on group_sessions (group_id);
comment on table group_sessions is 'A sitting of a working group, run by a moderator. Its state is pushed to clients as a whole with `version`, which only grows.';

create table agenda_items (
	id uuid primary key default gen_random_uuid(),
	session_id uuid not null references group_sessions (id) on delete cascade,
	position integer not null,
	title text not null,
	planned_minutes integer,
	started_at timestamptz,
	spent_seconds integer not null default 0,
	constraint agenda_items_title_length check (char_length(title) between 1 and 200),
	constraint agenda_items_planned_range check (planned_minutes is null or planned_minutes between 1 and 1440)
);
create index agenda_items_session_id on agenda_items (session_id, position);
comment on table agenda_items is 'Agenda of a session in order; started_at is set while the item is current, spent_seconds accumulates.';

create table session_documents (
	session_id uuid not null references group_sessions (id) on delete cascade,
	document_id uuid not null references documents (id) on delete cascade,
	position integer not null,
	constraint session_documents_pk primary key (session_id, document_id)
);
comment on table session_documents is 'The documents discussed in a session (of the same group).';

create table speakers (
	id uuid primary key default gen_random_uuid(),
	session_id uuid not null references group_sessions (id) on delete cascade,
	user_id uuid not null references users (id) on delete cascade,
	agenda_item_id uuid references agenda_items (id) on delete set null,
	recommendation_id uuid,
	point_of_order boolean not null default false,
	status text not null default 'waiting',
	requested_at timestamptz not null default now(),
	started_at timestamptz,
	ended_at timestamptz,
	constraint speakers_status_known check (status in ('waiting', 'speaking', 'done', 'withdrawn'))
);
create unique index speakers_one_hand_per_person on speakers (session_id, user_id) where status = 'waiting';
create unique index speakers_one_floor on speakers (session_id) where status = 'speaking';
create index speakers_session_id on speakers (session_id, status);
comment on table speakers is 'List of speakers: raised hands (waiting), the one who has the floor (speaking), and who spoke for how long (done).';
