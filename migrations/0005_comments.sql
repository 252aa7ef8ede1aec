-- Comments anchored in documents, the question stream of a session, upvotes, edits and read markers.

alter table group_sessions add column premoderation boolean not null default false;

create table comments (
	id uuid primary key default gen_random_uuid(),
	-- Grows with every comment of the whole database: read markers and unread counts compare it.
	seq bigserial not null,
	group_id uuid not null references groups (id) on delete cascade,
	document_id uuid references documents (id) on delete cascade,
	session_id uuid references group_sessions (id) on delete cascade,
	author_id uuid not null references users (id) on delete cascade,
	parent_id uuid references comments (id) on delete cascade,
	body text not null,
	anchor jsonb,
	recommendation_id uuid,
	status text not null default 'visible',
	pinned boolean not null default false,
	mentions jsonb not null default '[]'::jsonb,
	client_id text,
	created_at timestamptz not null default now(),
	edited_at timestamptz,
	hidden_at timestamptz,
	hidden_by uuid references users (id) on delete set null,
	deleted_at timestamptz,
	constraint comments_seq_unique unique (seq),
	constraint comments_in_a_stream check (document_id is not null or session_id is not null),
	constraint comments_anchor_in_documents check (anchor is null or session_id is null),
	constraint comments_status_known check (status in ('pending', 'visible', 'answered', 'resolved')),
	constraint comments_body_length check (char_length(body) between 1 and 10000),
	constraint comments_client_id_length check (client_id is null or char_length(client_id) between 1 and 64),
	constraint comments_client_id_unique unique (author_id, client_id),
	constraint comments_anchor_object check (anchor is null or jsonb_typeof(anchor) = 'object'),
	constraint comments_mentions_array check (jsonb_typeof(mentions) = 'array'),
	constraint comments_pinned_in_session check (not pinned or session_id is not null)
);
create index comments_document on comments (document_id, seq) where session_id is null;
create index comments_session on comments (session_id, seq) where session_id is not null;
create index comments_group on comments (group_id, seq);
create index comments_parent on comments (parent_id);
create unique index comments_one_pinned_per_session on comments (session_id) where pinned;
comment on table comments is 'A comment on a document (session_id null; anchor = Yjs relative positions of the words) or a question/remark in a session''s stream (session_id set; document_id then names the document of recommendation_id). Replies point at their thread''s first comment. Shown as status hidden while hidden_at is set (status keeps what it was), as a placeholder while deleted_at is set.';

create table comment_edits (
	id uuid primary key default gen_random_uuid(),
	comment_id uuid not null references comments (id) on delete cascade,
	body text not null,
	edited_at timestamptz not null default now()
);
create index comment_edits_comment on comment_edits (comment_id, edited_at);
comment on table comment_edits is 'Earlier bodies of an edited comment: one row per edit holding the text before it.';

create table comment_upvotes (
	comment_id uuid not null references comments (id) on delete cascade,
	user_id uuid not null references users (id) on delete cascade,
	created_at timestamptz not null default now(),
	constraint comment_upvotes_pk primary key (comment_id, user_id)
);
comment on table comment_upvotes is 'One upvote per person per comment.';

create table comment_reads (
	user_id uuid not null references users (id) on delete cascade,
	document_id uuid references documents (id) on delete cascade,
	session_id uuid references group_sessions (id) on delete cascade,
	last_seq bigint not null,
	updated_at timestamptz not null default now(),
	constraint comment_reads_one_stream check ((document_id is null) <> (session_id is null))
);
create unique index comment_reads_document on comment_reads (user_id, document_id) where document_id is not null;
create unique index comment_reads_session on comment_reads (user_id, session_id) where session_id is not null;
comment on table comment_reads is 'How far a person has read a comment stream (a document''s comments or a session''s questions): comments with a larger seq are unread.';
