-- A closed vote's outcome is written into the recommendation's status in the shared text after
-- the result is stored. outcome_written_at says that happened, so a crash between the two is
-- repaired at the next start (the outcome is written then). Votes closed before this migration
-- had their outcome written by then or never will: they count as written.

alter table votes add column outcome_written_at timestamptz;
update votes set outcome_written_at = closed_at where closed_at is not null;
alter table votes add constraint votes_written_when_closed check (outcome_written_at is null or closed_at is not null);
create index votes_outcome_not_written on votes (closed_at) where closed_at is not null and outcome_written_at is null;
