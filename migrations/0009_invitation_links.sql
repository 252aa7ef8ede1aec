-- An invitation made for an e-mail address is accepted only by the account with that address
-- (issue 12 item 9); a link invitation has no address: anyone with the link may join, as a
-- participant or observer only, until it is revoked or expires. It is not used up by joining.
alter table invitations alter column email drop not null;
alter table invitations add column uses integer not null default 0;
alter table invitations add constraint invitations_link_role check (email is not null or role in ('participant', 'observer'));
alter table invitations add constraint invitations_uses_not_negative check (uses >= 0);
comment on table invitations is 'An invitation to a group: for one e-mail address (accepted once, by the account with that address), or a link for anyone (email null, participant or observer, joined by many; uses counts them).';
comment on column invitations.uses is 'How many people joined the group through this invitation.';
