-- Being added to a group by e-mail needs no consent, so the person is told and may say no
-- (issue 12): who added each membership, a notice per group on the dashboard, and the people a
-- person refuses direct additions from after leaving. Memberships made before this migration have
-- no recorded adder (added_by null); joining by an invitation has none either.

alter table memberships add column added_by uuid references users (id) on delete set null;

create table member_notices (
	id uuid primary key default gen_random_uuid(),
	user_id uuid not null references users (id) on delete cascade,
	group_id uuid not null references groups (id) on delete cascade,
	actor_id uuid references users (id) on delete set null,
	role text not null,
	created_at timestamptz not null default now(),
	constraint member_notices_one_per_group unique (user_id, group_id),
	constraint member_notices_role_known check (role in ('moderator', 'member', 'participant', 'observer'))
);
comment on table member_notices is 'Someone added this person to a group directly; shown on their dashboard until dismissed or until they leave. One per person and group: a later addition replaces it.';

create table member_refusals (
	user_id uuid not null references users (id) on delete cascade,
	refused_id uuid not null references users (id) on delete cascade,
	created_at timestamptz not null default now(),
	constraint member_refusals_pk primary key (user_id, refused_id),
	constraint member_refusals_not_self check (user_id <> refused_id)
);
create index member_refusals_refused_id on member_refusals (refused_id);
comment on table member_refusals is 'user_id left a group or event that refused_id had added them to: refused_id may no longer add them directly (MEMBER_DECLINED). Cleared when user_id accepts an invitation refused_id made.';
