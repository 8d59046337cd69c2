-- Name search at the size of a city (docs/postgresql.md, "Name search").
--
-- name_search holds the name in persons.NameKey's form: lower case, and
-- é, ü, ñ and the like folded to e, u, n (å, ä and ö stay letters of
-- their own); names stored before were lower case only. The list of
-- letters is persons.NameFolds (TestNameFoldMigration checks the two agree).
UPDATE persons SET name_search = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_search, 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ā', 'a'), 'ą', 'a'), 'æ', 'ä'), 'ç', 'c'), 'ć', 'c'), 'č', 'c'), 'ď', 'd'), 'đ', 'd'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'ē', 'e'), 'ę', 'e'), 'ě', 'e'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'ī', 'i'), 'ł', 'l'), 'ñ', 'n'), 'ń', 'n'), 'ň', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ō', 'o'), 'ø', 'ö'), 'ő', 'ö'), 'ř', 'r'), 'ś', 's'), 'š', 's'), 'ş', 's'), 'ß', 'ss'), 'ť', 't'), 'ţ', 't'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u'), 'ū', 'u'), 'ů', 'u'), 'ű', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'ź', 'z'), 'ż', 'z'), 'ž', 'z')
    WHERE name_search <> replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_search, 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ā', 'a'), 'ą', 'a'), 'æ', 'ä'), 'ç', 'c'), 'ć', 'c'), 'č', 'c'), 'ď', 'd'), 'đ', 'd'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'ē', 'e'), 'ę', 'e'), 'ě', 'e'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'ī', 'i'), 'ł', 'l'), 'ñ', 'n'), 'ń', 'n'), 'ň', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ō', 'o'), 'ø', 'ö'), 'ő', 'ö'), 'ř', 'r'), 'ś', 's'), 'š', 's'), 'ş', 's'), 'ß', 'ss'), 'ť', 't'), 'ţ', 't'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u'), 'ū', 'u'), 'ů', 'u'), 'ű', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'ź', 'z'), 'ż', 'z'), 'ž', 'z');

-- A part of a name found anywhere in it: on PostgreSQL a trigram index
-- (pg_trgm, in Debian's postgresql-15 package; trusted, so the database's
-- owner may create it).
-- engine: postgres
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX persons_name_trgm ON persons USING gin (name_search gin_trgm_ops);

-- On SQLite an FTS5 table with the trigram tokenizer, kept by triggers on
-- every write of a person. person_names gives each person a number of
-- its own (an INTEGER PRIMARY KEY, which VACUUM keeps, unlike the
-- persons table's hidden rowid) that is the FTS row's rowid.
-- engine: sqlite
CREATE TABLE person_names (
    rid       INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    UNIQUE (tenant_id, person_id)
);
CREATE VIRTUAL TABLE person_names_fts USING fts5(name_search, tokenize = 'trigram case_sensitive 1', detail = none);
INSERT INTO person_names (tenant_id, person_id) SELECT tenant_id, id FROM persons;
INSERT INTO person_names_fts (rowid, name_search)
    SELECT n.rid, p.name_search FROM person_names n JOIN persons p ON p.tenant_id = n.tenant_id AND p.id = n.person_id;
CREATE TRIGGER person_names_insert AFTER INSERT ON persons BEGIN
    INSERT INTO person_names (tenant_id, person_id) VALUES (NEW.tenant_id, NEW.id); INSERT INTO person_names_fts (rowid, name_search)
        VALUES ((SELECT rid FROM person_names WHERE tenant_id = NEW.tenant_id AND person_id = NEW.id), NEW.name_search); END;
CREATE TRIGGER person_names_update AFTER UPDATE OF name_search ON persons BEGIN
    UPDATE person_names_fts SET name_search = NEW.name_search
        WHERE rowid = (SELECT rid FROM person_names WHERE tenant_id = NEW.tenant_id AND person_id = NEW.id); END;
CREATE TRIGGER person_names_delete AFTER DELETE ON persons BEGIN
    DELETE FROM person_names_fts WHERE rowid = (SELECT rid FROM person_names WHERE tenant_id = OLD.tenant_id AND person_id = OLD.id); DELETE FROM person_names
        WHERE tenant_id = OLD.tenant_id AND person_id = OLD.id; END;
-- engine: all
