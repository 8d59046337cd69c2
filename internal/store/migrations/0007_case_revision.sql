-- A case's revision goes up with every change that guards read (a move, a
-- signed form, a final decision), so a transition decided on what it read
-- commits only if none of that changed meanwhile.
ALTER TABLE cases ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
