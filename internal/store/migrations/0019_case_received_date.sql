-- The day a case's report or application was received (YYYY-MM-DD, in
-- Sweden): the day it was opened unless the officer who registered it
-- gave an earlier day. Cases opened before it existed have '' and are
-- taken to have been received the day they were opened.
ALTER TABLE cases ADD COLUMN received_date TEXT NOT NULL DEFAULT '';
