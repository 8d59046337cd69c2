-- A partial execution: how much of the decided amount is executed from
-- the entry's day, in the decision's unit (hundredths of an hour, öre,
-- items); 0 is all of it.
ALTER TABLE decision_execution ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;
