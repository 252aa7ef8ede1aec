-- Documents of a working group and their Yjs history.

create table documents (
	id uuid primary key default gen_random_uuid(),
	group_id uuid not null references groups (id) on delete cascade,
	title text not null,
	kind text not null,
	locked_at timestamptz,
	locked_by uuid references users (id) on delete set null,
	created_by uuid not null references users (id),
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	constraint documents_title_length check (char_length(title) between 1 and 200),
	constraint documents_kind_known check (kind in ('recommendations', 'minutes', 'notes'))
);
create index documents_group_id on documents (group_id);
comment on table documents is 'A text co-edited by a group (recommendations, minutes, notes); locked while locked_at is set. Content lives in document_snapshots + document_updates.';

create table document_snapshots (
	document_id uuid primary key references documents (id) on delete cascade,
	state bytea not null,
	last_seq bigint not null,
	updated_at timestamptz not null default now()
);
comment on table document_snapshots is 'Compacted Yjs state (Y.encodeStateAsUpdate) covering every update with seq <= last_seq.';

create table document_updates (
	seq bigserial primary key,
	document_id uuid not null references documents (id) on delete cascade,
	update bytea not null,
	created_at timestamptz not null default now()
);
create index document_updates_document_seq on document_updates (document_id, seq);
comment on table document_updates is 'Append-only log of Yjs updates after the snapshot; loading = snapshot + these in seq order. Compaction folds them into the snapshot in one transaction.';
