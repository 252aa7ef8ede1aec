-- Where in the focused document the moderator is, so that followers and the projector scroll there:
-- the top-visible top-level block of the text (its index) and how far into it (0 = its top, 1 = its
-- bottom). Not pixels: every screen lays the text out differently.

alter table group_sessions
	add column focus_block integer,
	add column focus_fraction double precision,
	add constraint group_sessions_focus_position_range check (
		(focus_block is null and focus_fraction is null)
		or (focus_block between 0 and 100000 and focus_fraction between 0 and 1)
	);
comment on column group_sessions.focus_block is 'Index of the top-level block at the top of the moderator''s view of the focused document, or null.';
comment on column group_sessions.focus_fraction is 'How far that block is scrolled past the top of the view, from 0 to 1.';
