-- Votes on a recommendation during a live session, and the ballots cast in them. While a vote is
-- open only the number of ballots is shown; the counts and the outcome are written when it closes.

create table votes (
	id uuid primary key default gen_random_uuid(),
	session_id uuid not null references group_sessions (id) on delete cascade,
	document_id uuid not null references documents (id) on delete cascade,
	recommendation_id uuid not null,
	opened_by uuid not null references users (id),
	opened_at timestamptz not null default now(),
	closed_at timestamptz,
	yes_count integer,
	no_count integer,
	abstain_count integer,
	outcome text,
	constraint votes_outcome_known check (outcome is null or outcome in ('adopted', 'rejected')),
	constraint votes_result_when_closed check (
		(closed_at is null and outcome is null and yes_count is null and no_count is null and abstain_count is null)
		or (closed_at is not null and outcome is not null and yes_count >= 0 and no_count >= 0 and abstain_count >= 0)
	)
);
create unique index votes_one_open_per_session on votes (session_id) where closed_at is null;
create index votes_session_id on votes (session_id, opened_at);
comment on table votes is 'A vote called by a moderator on one recommendation of a session''s document; open while closed_at is null (at most one per session), then holds the counts and the outcome (adopted when yes > no).';

create table ballots (
	vote_id uuid not null references votes (id) on delete cascade,
	user_id uuid not null references users (id) on delete cascade,
	choice text not null,
	cast_at timestamptz not null default now(),
	constraint ballots_pk primary key (vote_id, user_id),
	constraint ballots_choice_known check (choice in ('yes', 'no', 'abstain'))
);
comment on table ballots is 'One ballot per person and vote (members and moderators); who chose what is never sent to clients.';
